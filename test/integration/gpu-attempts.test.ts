import { asc, eq } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import { GenerationError } from '../../src/core/errors.js';
import type { JobEvent } from '../../src/core/events.js';
import type { Generator } from '../../src/core/generator.js';
import { jobAttempts, jobs } from '../../src/db/schema.js';
import { createLogger } from '../../src/shared/logger.js';
import { createBuiltinGenerator } from '../../src/worker/backends/builtin/index.js';
import { WorkerJobStore } from '../../src/worker/job-store.js';
import { processJob, type ProcessDeps } from '../../src/worker/process-job.js';
import { MediaOutputStorer } from '../../src/worker/store-outputs.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createStubGenerator } from '../support/stub-generator.js';

let stack: TestStack;
const seen: JobEvent[] = [];
beforeEach(async () => {
  seen.length = 0;
  stack = await startTestStack({ worker: false, web: false, env: { RATE_LIMIT_BURST: '100' } });
  await stack.runtime.events.subscribe((event) => seen.push(event));
});
afterEach(async () => {
  await stack.close();
});

const actor = (user: string): Actor => ({ platform: 'web', spaceExternalId: 'gpu', userExternalId: user, platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' });

async function submit(user: string, steps = 3): Promise<string> {
  const result = await stack.runtime.service.submit(actor(user), { prompt: `gpu test ${user}`, width: 64, height: 64, steps });
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

const attemptsOf = (jobId: string) =>
  stack.database.db.select().from(jobAttempts).where(eq(jobAttempts.jobId, jobId)).orderBy(asc(jobAttempts.startedAt));

test('a failed attempt and its retry through the worker: two rows, each with its backend, times, GPU time and outcome', async () => {
  const builtin = createBuiltinGenerator({ stepDelayMs: 20 });
  let calls = 0;
  // The first run works 40 ms on the "GPU", then the backend drops; the retry renders for real.
  const flaky: Generator = {
    name: builtin.name,
    async generate(input, options) {
      if (++calls === 1) {
        options.onBackendWork?.('started');
        await sleep(40);
        throw new GenerationError('backend_unreachable', 'The image server went away; the job will be retried.', 'backoff');
      }
      return builtin.generate(input, options);
    },
  };
  const jobId = await submit('retry-user');
  await stack.startWorker({ generator: flaky });
  await waitFor(async () => seen.some((e) => e.jobId === jobId && e.type === 'completed'), Boolean);

  const rows = await waitFor(() => attemptsOf(jobId), (r) => r.length === 2 && r.every((a) => a.endedAt !== null));
  expect(rows.map((r) => [r.attempt, r.backend, r.outcome])).toEqual([
    [1, 'builtin', 'failed'],
    [2, 'builtin', 'completed'],
  ]);
  const [job] = await stack.database.db.select().from(jobs).where(eq(jobs.id, jobId));
  for (const row of rows) {
    expect(row.userId).toBe(job!.userId);
    expect(row.projectId).toBe(job!.projectId);
    expect(row.spaceId).toBe(job!.spaceId);
    expect(row.gpuStartedAt).not.toBeNull();
    expect(row.endedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt.getTime());
  }
  // Lower bounds only: the failed run worked at least its 40 ms, the render at least 3 steps x 20 ms.
  expect(rows[0]!.gpuMs).toBeGreaterThanOrEqual(40);
  expect(rows[1]!.gpuMs).toBeGreaterThanOrEqual(60);
});

function directDeps(generator: Generator, store: WorkerJobStore): ProcessDeps {
  const log = createLogger({ level: 'silent', secrets: [] });
  return {
    store,
    generator,
    outputs: new MediaOutputStorer(stack.runtime.media, log),
    events: stack.runtime.events,
    admission: stack.runtime.admission,
    places: { jobStarted: () => undefined },
    log,
  };
}

test('an attempt whose worker crashed is closed by the next claim at the last moment it was heard of; the re-run gets its own row', async () => {
  const jobId = await submit('crash-user');
  const store = new WorkerJobStore(stack.database.db, stack.runtime.records);
  const stub = await createStubGenerator();
  // The first worker starts on the GPU, reports progress, then is never heard of again.
  const hanging: Generator = {
    name: 'gpu-a',
    async generate(_input, options) {
      options.onBackendWork?.('started');
      options.onProgress({ step: 1, totalSteps: 3, stage: 'sampling' });
      return new Promise(() => undefined);
    },
  };
  const attempt = { jobId, attempt: 1, maxAttempts: 3, signal: new AbortController().signal, isShutdown: () => false };
  void processJob(directDeps(hanging, store), attempt);
  const [open] = await waitFor(() => attemptsOf(jobId), (r) => r[0]?.gpuStartedAt !== null && r[0]?.gpuStartedAt !== undefined);
  expect(open!.endedAt).toBeNull();
  expect(open!.outcome).toBeNull();
  const [beforeReclaim] = await waitFor(
    () => stack.database.db.select().from(jobs).where(eq(jobs.id, jobId)),
    (r) => r[0]!.progress > 0,
  );

  // BullMQ hands the stalled job to another worker under the same attempt number.
  expect(await processJob(directDeps({ ...stub, name: 'gpu-b' }, store), attempt)).toEqual({ kind: 'done' });
  const rows = await attemptsOf(jobId);
  expect(rows.map((r) => [r.attempt, r.backend, r.outcome])).toEqual([
    [1, 'gpu-a', 'interrupted'],
    [1, 'gpu-b', 'completed'],
  ]);
  const crashed = rows[0]!;
  expect(crashed.endedAt!.getTime()).toBe(Math.max(crashed.startedAt.getTime(), beforeReclaim!.updatedAt.getTime()));
  // From the GPU start to that moment (within the millisecond the Dates are truncated to).
  const expected = Math.max(0, beforeReclaim!.updatedAt.getTime() - crashed.gpuStartedAt!.getTime());
  expect(Math.abs(crashed.gpuMs - expected)).toBeLessThanOrEqual(1);
});

test('a cancelled attempt is recorded as cancelled; a backend that never started counts no GPU time', async () => {
  const jobId = await submit('cancel-user');
  const store = new WorkerJobStore(stack.database.db, stack.runtime.records);
  // Waits in the backend's queue (never says started) until the cancel arrives.
  const queued: Generator = {
    name: 'queued-backend',
    generate: (_input, options) =>
      new Promise((_resolve, reject) => options.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
  };
  const controller = new AbortController();
  const running = processJob(directDeps(queued, store), { jobId, attempt: 1, maxAttempts: 3, signal: controller.signal, isShutdown: () => false });
  await waitFor(() => attemptsOf(jobId), (r) => r.length === 1);
  const viewer = await stack.runtime.service.identify(actor('cancel-user'));
  expect((await stack.runtime.service.cancel(viewer, jobId)).ok).toBe(true);
  controller.abort();
  expect(await running).toEqual({ kind: 'cancelled' });
  const [row] = await attemptsOf(jobId);
  expect(row).toMatchObject({ backend: 'queued-backend', outcome: 'cancelled', gpuMs: 0, gpuStartedAt: null });
  expect(row!.endedAt).not.toBeNull();
});
