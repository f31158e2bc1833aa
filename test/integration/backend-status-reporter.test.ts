import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import type { BackendStatus } from '../../src/core/farm-state.js';
import { BackendStates } from '../../src/infra/backend-states.js';
import type { Logger } from '../../src/shared/logger.js';
import { BackendStatusReporter } from '../../src/worker/backend-status-reporter.js';
import { FakeComfyUi } from '../fakes/comfyui/server.js';
import { createRedisNamespace } from '../support/isolation.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redisStates(): Promise<{ states: BackendStates; redis: Redis; key: string }> {
  const namespace = createRedisNamespace();
  const redis = new Redis(namespace.url, { maxRetriesPerRequest: 1 });
  cleanups.push(() => namespace.cleanup(), () => redis.quit());
  return { states: new BackendStates(redis, namespace.prefix), redis, key: `${namespace.prefix}:farm:backends` };
}

/** Polls until `done` holds (the state is written by another process's timers or the worker). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

const summary = (s: BackendStatus | undefined) => s && { state: s.state, jobId: s.jobId };

test('each call is written in order, latest status wins, and close takes the backend out', async () => {
  const { states } = await redisStates();
  let clock = 1_000;
  const reporter = new BackendStatusReporter(states, { name: 'gpu-a', kind: 'comfyui', worker: 'host:1:abc', server: '10.0.0.5:8188' }, { refreshMs: 60_000, now: () => clock });
  await reporter.start();
  expect(await states.all(clock)).toEqual([
    { name: 'gpu-a', kind: 'comfyui', worker: 'host:1:abc', server: '10.0.0.5:8188', state: 'idle', since: 1_000, templates: [], models: [], updatedAt: 1_000, freshUntil: 181_000 },
  ]);

  clock = 2_000;
  reporter.capabilities(['txt2img'], ['anime']);
  reporter.busy('job-1');
  await reporter.flush();
  const busy = (await states.all(clock))[0]!;
  expect([busy.state, busy.jobId, busy.since, busy.templates, busy.models]).toEqual(['busy', 'job-1', 2_000, ['txt2img'], ['anime']]);

  // A second job on the same server (worker concurrency 2): busy with the oldest until both end.
  reporter.busy('job-2');
  reporter.idle('job-1');
  await reporter.flush();
  expect(summary((await states.all(clock))[0])).toEqual({ state: 'busy', jobId: 'job-2' });
  clock = 3_000;
  reporter.idle('job-2');
  await reporter.flush();
  expect((await states.all(clock)).map((s) => [s.state, s.jobId, s.since])).toEqual([['idle', undefined, 3_000]]);

  reporter.down();
  await reporter.flush();
  expect(summary((await states.all(clock))[0])).toEqual({ state: 'down', jobId: undefined });
  reporter.up();
  reporter.busy('job-3');
  reporter.drained();
  await reporter.flush();
  expect(summary((await states.all(clock))[0])).toEqual({ state: 'draining', jobId: 'job-3' });
  reporter.idle('job-3');
  await reporter.flush();
  expect(summary((await states.all(clock))[0])).toEqual({ state: 'drained', jobId: undefined });
  reporter.resumed();
  await reporter.flush();
  expect(summary((await states.all(clock))[0])).toEqual({ state: 'idle', jobId: undefined });

  await reporter.close();
  expect(await states.all(clock)).toEqual([]);
});

test('an unchanged status is written again every refresh, so it stays fresh while the worker lives', async () => {
  const { states, redis, key } = await redisStates();
  const reporter = new BackendStatusReporter(states, { name: 'builtin', kind: 'builtin', worker: 'host:2:def' }, { refreshMs: 50 });
  cleanups.push(() => reporter.close());
  await reporter.start();
  const first = JSON.parse((await redis.hget(key, 'builtin'))!) as BackendStatus;
  expect(first.freshUntil - first.updatedAt).toBe(150);
  const later = await until(async () => JSON.parse((await redis.hget(key, 'builtin'))!) as BackendStatus, (s) => s.updatedAt > first.updatedAt);
  expect(later.state).toBe('idle');
  expect(later.since).toBe(first.since);
  expect(later.freshUntil).toBeGreaterThan(first.freshUntil);
});

test('a failing store is logged, never thrown, and the next change is written once it answers', async () => {
  let failing = true;
  const written: BackendStatus[] = [];
  const warnings: string[] = [];
  const sink = {
    async put(status: BackendStatus) {
      if (failing) throw new Error('redis gone');
      written.push(status);
    },
    async remove() {},
  };
  const log = { warn: (_: unknown, message: string) => warnings.push(message) } as unknown as Logger;
  const reporter = new BackendStatusReporter(sink, { name: 'b', kind: 'builtin', worker: 'w' }, { refreshMs: 60_000, log });
  await reporter.start();
  reporter.busy('j');
  await reporter.flush();
  expect(warnings).toEqual(['could not write the backend status', 'could not write the backend status']);
  failing = false;
  reporter.idle('j');
  await reporter.flush();
  await reporter.close();
  expect(written.map((s) => s.state)).toEqual(['idle']);
});

async function stackOn(fake: FakeComfyUi): Promise<TestStack> {
  const stack = await startTestStack({ worker: false, web: false, env: { COMFYUI_URL: fake.url, BACKEND_CHECK_INTERVAL_MS: '1000' } });
  cleanups.push(() => stack.close());
  return stack;
}

const actor: Actor = { platform: 'web', spaceExternalId: 'farm', userExternalId: 'mika', platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' };

test('the worker reports its ComfyUI server by host:port: idle, busy with the running job, idle again, down when it stops answering', async () => {
  const fake = await FakeComfyUi.start();
  cleanups.push(() => fake.close());
  const stack = await stackOn(fake);
  const states = new BackendStates(stack.runtime.redis, stack.runtime.config.QUEUE_PREFIX);
  const name = new URL(fake.url).host;
  fake.holdSteps();
  await stack.startWorker({ statusRefreshMs: 200 });

  const idle = await until(() => states.all(), (all) => all.length === 1);
  expect(idle[0]).toMatchObject({ name, kind: 'comfyui', server: name, state: 'idle', templates: ['txt2img', 'video'] });
  expect(idle[0]!.models.length).toBeGreaterThan(0);

  const submitted = await stack.runtime.service.submit(actor, { prompt: 'a lighthouse at dusk', width: 64, height: 64, steps: 3 });
  if (!submitted.ok) throw new Error(JSON.stringify(submitted));
  const jobId = submitted.value.job.id;
  const busy = await until(() => states.all(), (all) => all[0]?.state === 'busy');
  expect(summary(busy[0])).toEqual({ state: 'busy', jobId });

  fake.releaseAllSteps();
  // Idle once the backend's work ends, while the worker still saves the files.
  await until(() => states.all(), (all) => all[0]?.state === 'idle');
  const status = async () => (await stack.database.pool.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [jobId])).rows[0]?.status;
  await until(status, (s) => s === 'completed');
  // The accounting names the backend as its live state does, so the dashboard's busy share joins them.
  const attempts = await stack.database.pool.query<{ backend: string }>('SELECT backend FROM job_attempts WHERE job_id = $1', [jobId]);
  expect(attempts.rows).toEqual([{ backend: name }]);

  await fake.close();
  const down = await until(() => states.all(), (all) => all[0]?.state === 'down');
  expect(down[0]!.name).toBe(name);

  await stack.stopWorker();
  expect(await states.all()).toEqual([]);
});
