import sharp from 'sharp';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';
import { api } from '../support/api.js';
import { eventLog, previewOf } from '../support/event-waits.js';
import { jobEnds } from '../support/job-ends.js';
import { expectNoLeak } from '../support/leaks.js';
import { followSse } from '../support/sse-stream.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 14 item 4 through the worker: the fake ComfyUI sends a preview frame per sampling step;
 * the worker keeps the latest, small, in Redis and announces it; a signed link serves it, never
 * cached, until the attempt ends. The steps are the test's to release.
 */
let comfy: ComfyUiHarness;
let stack: TestStack;
let creator: string;

beforeAll(async () => {
  comfy = await startComfyUiHarness({ previews: true });
  stack = await startTestStack({ worker: false, env: { COMFYUI_URL: comfy.fake.url, RATE_LIMIT_BURST: '100', PREVIEW_INTERVAL_MS: '0' } });
  await stack.startWorker();
  creator = await stack.token('aiko', 'creator');
});
afterAll(async () => {
  await stack?.close();
  await comfy?.cleanup();
});

const previewKey = (jobId: string) => `${stack.env.QUEUE_PREFIX}:preview:${jobId}`;

test('a preview frame of the running prompt becomes a preview event and a small, never-cached picture behind a signed link, gone once the job ends', async () => {
  const log = await eventLog(stack);
  const ends = await jobEnds(stack);
  comfy.fake.holdSteps();
  const created = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a lantern festival', seed: 11, width: 768, height: 512, steps: 4 });
  expect(created.status).toBe(202);
  const jobId = created.json.job_id as string;
  comfy.fake.releaseSteps(1);
  const first = await log.next(previewOf(jobId));
  expect(first.seq).toBe(1);

  const response = await fetch(stack.runtime.previewLinks.url(jobId, first.seq));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/webp');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(bytes.length).toBeLessThan(100 * 1024);
  const meta = await sharp(bytes).metadata();
  expect(meta.format).toBe('webp');
  expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(320);

  // Not a link to anything else: a forged signature, another sequence under this one's signature, or a future one.
  const signed = new URL(stack.runtime.previewLinks.url(jobId, 1));
  const forged = new URL(signed);
  forged.searchParams.set('sig', 'A'.repeat(43));
  const notYet = stack.runtime.previewLinks.url(jobId, 99);
  for (const url of [forged.href, signed.href.replace(`/${jobId}/1?`, `/${jobId}/2?`), notYet]) {
    const refused = await fetch(url);
    expect(refused.status).toBe(404);
    expectNoLeak(await refused.text(), [stack.env.APP_SECRET!]);
  }

  comfy.fake.releaseSteps(1);
  const second = await log.next((e): e is Extract<typeof e, { type: 'preview' }> => previewOf(jobId)(e) && e.seq === 2);
  // The older link now answers the newest picture: a chat platform fetches it late.
  const newer = Buffer.from(await (await fetch(stack.runtime.previewLinks.url(jobId, 1))).arrayBuffer());
  expect(newer.equals(bytes)).toBe(false);
  expect(second.seq).toBe(2);

  comfy.fake.releaseAllSteps();
  await ends.ended(jobId);
  const mine = log.events.filter((e) => e.jobId === jobId).map((e) => e.type);
  // No preview after rendering ended, and the picture went with it.
  expect(mine.lastIndexOf('preview')).toBeLessThan(mine.indexOf('saving'));
  expect(mine.at(-1)).toBe('completed');
  expect(await stack.runtime.redis.exists(previewKey(jobId))).toBe(0);
  expect((await fetch(stack.runtime.previewLinks.url(jobId, 1))).status).toBe(404);
  // Never an asset: the job's files are its one output and its derivatives.
  const assets = await stack.runtime.records.listAssets(jobId);
  expect(assets.map((a) => a.variant).sort()).toEqual(['original', 'thumbnail', 'webp']);
  await log.unsubscribe();
});

test('the web event stream carries a view with the preview\'s signed link while it renders, and the final view without it', async () => {
  comfy.fake.holdSteps();
  const created = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a paper crane', seed: 12, width: 256, height: 256, steps: 3 });
  const jobId = created.json.job_id as string;
  const response = await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/events`, { headers: { authorization: `Bearer ${creator}` } });
  const stream = followSse(response);
  comfy.fake.releaseSteps(1);
  const live = await stream.next((e) => e.event === 'view' && typeof e.data.preview_url === 'string');
  const url = live.data.preview_url as string;
  expect(url).toMatch(new RegExp(`^${stack.baseUrl}/media/preview/${jobId}/1\\?exp=\\d+&sig=`));
  expect((await fetch(url)).headers.get('content-type')).toBe('image/webp');
  expect(stream.events.some((e) => e.event === 'preview' && e.data.seq === 1)).toBe(true);
  comfy.fake.releaseAllSteps();
  await stream.ended;
  const views = stream.events.filter((e) => e.event === 'view');
  expect(views.at(-1)!.data).toMatchObject({ stage: 'completed', final: true });
  expect(views.at(-1)!.data.preview_url).toBeUndefined();
  expect((views.at(-1)!.data.images as unknown[]).length).toBe(1);
});
