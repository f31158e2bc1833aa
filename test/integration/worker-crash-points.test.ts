import { eq } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import type { JobEvent } from '../../src/core/events.js';
import type { Generator } from '../../src/core/generator.js';
import { assets, jobs } from '../../src/db/schema.js';
import { GENERATE_QUEUE } from '../../src/infra/queue.js';
import { createLogger } from '../../src/shared/logger.js';
import { WorkerJobStore } from '../../src/worker/job-store.js';
import { processJob, type ProcessDeps } from '../../src/worker/process-job.js';
import { MediaOutputStorer } from '../../src/worker/store-outputs.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createStubGenerator } from '../support/stub-generator.js';

let stack: TestStack;
const seen: JobEvent[] = [];
beforeEach(async () => {
  seen.length = 0;
  stack = await startTestStack({ worker: false, web: false, env: { MAX_PENDING_PER_USER: '1', RATE_LIMIT_BURST: '100' } });
  await stack.runtime.events.subscribe((event) => seen.push(event));
});
afterEach(async () => {
  await stack.close();
});

const actor = (user: string): Actor => ({ platform: 'web', spaceExternalId: 'crash', userExternalId: user, platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' });

async function submit(user: string): Promise<string> {
  const result = await stack.runtime.service.submit(actor(user), { prompt: `crash test ${user}`, width: 64, height: 64, steps: 1 });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.value.job.id;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

test('a worker dying after the completion commit and before the slot release: the re-run frees the slot and says completed, nothing rendered twice', async () => {
  const jobId = await submit('crasher');
  const log = createLogger({ level: 'silent', secrets: [] });
  const renders: string[] = [];
  const generator: Generator = await createStubGenerator((input) => renders.push(input.jobId));
  const store = new WorkerJobStore(stack.runtime.database.db, stack.runtime.records);
  // The crash point: the commit lands, then the process is gone (nothing after it ever runs).
  const dyingStore = Object.create(store) as WorkerJobStore;
  dyingStore.complete = async (id, files, quality) => {
    await store.complete(id, files, quality);
    return new Promise<boolean>(() => undefined);
  };
  const deps = (s: WorkerJobStore): ProcessDeps => ({
    store: s,
    generator,
    outputs: new MediaOutputStorer(stack.runtime.media, log),
    events: stack.runtime.events,
    admission: stack.runtime.admission,
    places: { jobStarted: () => undefined },
    log,
  });
  const attempt = (n: number) => ({ jobId, attempt: n, maxAttempts: 3, signal: new AbortController().signal, isShutdown: () => false });

  void processJob(deps(dyingStore), attempt(1));
  const [committed] = await waitFor(
    () => stack.database.db.select().from(jobs).where(eq(jobs.id, jobId)),
    (rows) => rows[0]?.status === 'completed',
  );
  expect(committed!.status).toBe('completed');
  // The slot is still held (the user's one pending job) and nobody heard "completed".
  expect((await submit('crasher').catch((e: Error) => e)) instanceof Error).toBe(true);
  expect(seen.filter((e) => e.jobId === jobId && e.type === 'completed')).toHaveLength(0);

  // BullMQ runs the job again after the crash.
  expect(await processJob(deps(store), attempt(2))).toEqual({ kind: 'skipped', why: 'ended' });
  const completed = await waitFor(
    async () => seen.filter((e) => e.jobId === jobId && e.type === 'completed'),
    (events) => events.length > 0,
  );
  expect(completed).toHaveLength(1);
  const rows = await stack.database.db.select().from(assets).where(eq(assets.jobId, jobId));
  const views = (completed[0] as Extract<JobEvent, { type: 'completed' }>).assets;
  expect(views.map((v) => v.assetId)).toEqual(rows.filter((r) => r.variant === 'original').map((r) => r.id));
  expect(renders).toEqual([jobId]);
  // The slot is free: the same user may queue again.
  await expect(submit('crasher')).resolves.toEqual(expect.any(String));
});

test('unfinished jobs whose queue entry went missing or failed after start are put back by the periodic sweep', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const renders: string[] = [];
  const stub = await createStubGenerator((input) => renders.push(input.jobId));
  const first = await submit('first');
  const generator: Generator = {
    name: 'stub',
    async generate(input, options) {
      if (input.jobId === first) await gate;
      return stub.generate(input, options);
    },
  };
  await stack.startWorker({ generator, sweepIntervalMs: 300 });
  await waitFor(async () => renders.length + seen.filter((e) => e.type === 'started').length, (n) => n > 0);

  // While the only worker is busy, one entry disappears and another is failed by BullMQ.
  const lost = await submit('lost');
  const failed = await submit('failed');
  const { queue } = stack.runtime.queue;
  await queue.remove(lost);
  const failing = new Worker(GENERATE_QUEUE, async () => {
    throw new UnrecoverableError('simulated give-up');
  }, { connection: stack.runtime.redis, prefix: stack.env.QUEUE_PREFIX!, concurrency: 1 });
  await waitFor(() => queue.getJobState(failed), (state) => state === 'failed');
  await failing.close();
  release();

  const states = await waitFor(
    () => stack.database.db.select({ id: jobs.id, status: jobs.status }).from(jobs),
    (rows) => rows.every((r) => r.status === 'completed'),
  );
  expect(states.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
  expect(renders.sort()).toEqual([first, lost, failed].sort());
});
