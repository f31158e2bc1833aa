import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import type { JobEvent } from '../../src/core/events.js';
import { assets, jobs } from '../../src/db/schema.js';
import { byteRange } from '../../src/web/routes/media.js';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let comfy: ComfyUiHarness;

beforeEach(async () => {
  stack = await startTestStack({ worker: false });
  comfy = await startComfyUiHarness();
  await stack.startWorker({ generator: comfy.generator });
});
afterEach(async () => {
  await stack.close();
  await comfy.cleanup();
});

const actor: Actor = { platform: 'web', spaceExternalId: 'clips', userExternalId: 'ren', platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' };

async function generateVideo(): Promise<Extract<JobEvent, { type: 'completed' }>> {
  const finished = new Promise<JobEvent>((resolve) => {
    void stack.runtime.events.subscribe((event) => {
      if (event.type === 'completed' || (event.type === 'failed' && !event.willRetry)) resolve(event);
    });
  });
  const result = await stack.runtime.service.submit(actor, { prompt: 'a girl walking through falling petals', kind: 'video', width: 96, height: 64, steps: 2, seed: 77 });
  if (!result.ok) throw new Error(JSON.stringify(result));
  const event = await finished;
  if (event.type !== 'completed') throw new Error(`the job ended ${event.type}: ${JSON.stringify(event)}`);
  return event;
}

test('the Wan video template runs with its roles set; the MP4 it makes is stored as video/mp4 with a poster and served with Range', async () => {
  const done = await generateVideo();
  const sent = comfy.fake.received.prompts.find((p) => p.status === 200)!.body.prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  expect(sent['6']!.inputs.text).toBe('a girl walking through falling petals');
  expect(sent['40']!.inputs).toMatchObject({ width: 96, height: 64, length: 33 });
  expect(sent['3']!.inputs).toMatchObject({ seed: 77, steps: 2 });
  expect(sent['50']!.inputs.filename_prefix).toBe(`anime-production_${done.jobId}`);

  expect(done.assets).toEqual([expect.objectContaining({ kind: 'video', mime: 'video/mp4', width: 96, height: 64 })]);
  expect(done.assets[0]!.webpAssetId).toBeUndefined();
  const rows = await stack.database.db.select().from(assets).where(eq(assets.jobId, done.jobId));
  const original = rows.find((r) => r.variant === 'original')!;
  const poster = rows.find((r) => r.variant === 'thumbnail')!;
  expect(rows.map((r) => r.variant).sort()).toEqual(['original', 'thumbnail']);
  expect(original).toMatchObject({ kind: 'video', mime: 'video/mp4', storageKey: expect.stringMatching(/\.mp4$/) });
  expect(original.qualityScore).toBeGreaterThan(0);
  expect(poster.mime).toBe('image/webp');
  expect((await sharp(await stack.runtime.media.read(poster.storageKey)).metadata()).width).toBe(96);
  const [job] = await stack.database.db.select().from(jobs).where(eq(jobs.id, done.jobId));
  expect(job).toMatchObject({ qualityRetried: false, qualityProblems: null });

  const bytes = await stack.runtime.media.read(original.storageKey);
  const url = stack.runtime.mediaLinks.url(original.id);
  const whole = await fetch(url);
  expect(whole.status).toBe(200);
  expect(whole.headers.get('content-type')).toBe('video/mp4');
  expect(whole.headers.get('accept-ranges')).toBe('bytes');
  expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
  const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
  expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
  const tail = await fetch(url, { headers: { range: 'bytes=-16' } });
  expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 16))).toBe(true);
  const past = await fetch(url, { headers: { range: `bytes=${bytes.length}-` } });
  expect(past.status).toBe(416);
  expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
  const posterResponse = await fetch(stack.runtime.mediaLinks.url(poster.id));
  expect(posterResponse.headers.get('content-type')).toBe('image/webp');
});

test('byte ranges: start-end, open-ended and suffix ranges; past the end is unsatisfiable; anything else is the whole file', () => {
  expect(byteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
  expect(byteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
  expect(byteRange('bytes=95-500', 100)).toEqual({ start: 95, end: 99 });
  expect(byteRange('bytes=-20', 100)).toEqual({ start: 80, end: 99 });
  expect(byteRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
  expect(byteRange('bytes=100-', 100)).toBe('unsatisfiable');
  expect(byteRange('bytes=-0', 100)).toBe('unsatisfiable');
  expect(byteRange('bytes=5-2', 100)).toBe('unsatisfiable');
  for (const header of [undefined, 'bytes=-', 'items=0-1', 'bytes=0-1,5-6']) expect(byteRange(header, 100)).toBeUndefined();
});
