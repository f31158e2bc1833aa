import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import type { JobEvent } from '../../src/core/events.js';
import { fromRecord } from '../../src/core/job-message/model.js';
import { assets, jobAttempts, jobs } from '../../src/db/schema.js';
import { ServiceMetrics } from '../../src/infra/metrics.js';
import { renderWebView } from '../../src/web/job-view.js';
import { rerenderSeed } from '../../src/worker/quality-gate.js';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let comfy: ComfyUiHarness;
let metrics: ServiceMetrics;
const seen: JobEvent[] = [];

beforeEach(async () => {
  seen.length = 0;
  stack = await startTestStack({ web: false, worker: false });
  comfy = await startComfyUiHarness();
  metrics = new ServiceMetrics({ size: async () => 0 });
  await metrics.attach(stack.runtime.events);
  await stack.runtime.events.subscribe((event) => seen.push(event));
  await stack.startWorker({ generator: comfy.generator });
});
afterEach(async () => {
  await stack.close();
  await comfy.cleanup();
});

const actor: Actor = { platform: 'web', spaceExternalId: 'qc', userExternalId: 'aiko', platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' };
const SEED = 4242;

async function generate(): Promise<Extract<JobEvent, { type: 'completed' }>> {
  const finished = new Promise<JobEvent>((resolve) => {
    void stack.runtime.events.subscribe((event) => {
      if (event.type === 'completed' || (event.type === 'failed' && !event.willRetry)) resolve(event);
    });
  });
  const result = await stack.runtime.service.submit(actor, { prompt: 'a fox in the snow', width: 64, height: 64, steps: 2, seed: SEED });
  if (!result.ok) throw new Error(JSON.stringify(result));
  const event = await finished;
  if (event.type !== 'completed') throw new Error(`the job ended ${event.type}`);
  return event;
}

const seedsSent = () => comfy.fake.received.prompts.filter((p) => p.status === 200).map((p) => (p.body.prompt as Record<string, { inputs: Record<string, unknown> }>)['3']!.inputs.seed);

async function storedFiles(): Promise<string[]> {
  const root = join(stack.dataDir, 'media');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}

async function metric(name: string): Promise<number> {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('a black first render is rendered again once with a new seed in the same attempt; the good one is posted and only its files kept', async () => {
  comfy.fake.script.blackFor = (seed) => seed === SEED;
  const done = await generate();
  const newSeed = rerenderSeed(done.jobId, SEED);
  expect(seedsSent()).toEqual([SEED, newSeed]);
  // The second prompt is a render of its own: its own prompt id chain and extra_data.render.
  const [first, second] = comfy.fake.received.prompts.filter((p) => p.status === 200);
  expect(second!.body.prompt_id).not.toBe(first!.body.prompt_id);
  expect((second!.body.extra_data as Record<string, unknown>).render).toBe(2);
  expect(done).toMatchObject({ seed: newSeed, quality: { retried: true, problems: [] } });

  const [job] = await stack.database.db.select().from(jobs).where(eq(jobs.id, done.jobId));
  expect(job).toMatchObject({ status: 'completed', seed: newSeed, qualityRetried: true, qualityProblems: null, attempts: 1 });
  const attempts = await stack.database.db.select().from(jobAttempts).where(eq(jobAttempts.jobId, done.jobId));
  expect(attempts.map((a) => a.outcome)).toEqual(['completed']);
  const rows = await stack.database.db.select().from(assets).where(eq(assets.jobId, done.jobId));
  expect(rows.map((r) => r.variant).sort()).toEqual(['original', 'thumbnail', 'webp']);
  expect(rows.find((r) => r.variant === 'original')!.qualityScore).toBeGreaterThan(0.5);
  expect(await storedFiles()).toEqual(rows.map((r) => r.storageKey).sort());
  expect(seen.filter((e) => e.jobId === done.jobId && e.type === 'failed')).toEqual([]);
  expect(await metric('anime_quality_rerenders_total')).toBe(1);
  expect(await metric('anime_quality_failures_posted_total')).toBe(0);
});

test('two black renders: the second is posted with a quality note, recorded on the job and counted', async () => {
  comfy.fake.script.blackFor = () => true;
  const done = await generate();
  expect(seedsSent()).toEqual([SEED, rerenderSeed(done.jobId, SEED)]);
  expect(done.quality).toEqual({ retried: true, problems: ['blank'] });
  const [job] = await stack.database.db.select().from(jobs).where(eq(jobs.id, done.jobId));
  expect(job).toMatchObject({ status: 'completed', qualityRetried: true, qualityProblems: ['blank'] });

  const record = (await stack.runtime.records.getJob(done.jobId))!;
  const view = renderWebView(fromRecord(record, await stack.runtime.records.listAssets(done.jobId)), { mediaUrl: (id) => `/media/${id}`, projectUrl: '/g' });
  expect(view.images).toHaveLength(1);
  expect(view.quality_note).toEqual({ problems: ['blank'], text: expect.stringMatching(/^Quality check: it looks blank, even after a second render/) });
  expect(await metric('anime_quality_rerenders_total')).toBe(1);
  expect(await metric('anime_quality_failures_posted_total')).toBe(1);
  expect(await metric('anime_quality_problems_posted_total')).toBe(1);
  expect((await metrics.registry.metrics())).toContain('anime_quality_problems_posted_total{problem="blank"} 1');
});
