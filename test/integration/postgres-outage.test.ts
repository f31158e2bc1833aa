import { setTimeout as sleep } from 'node:timers/promises';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import type { JobEvent } from '../../src/core/events.js';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import { startWorker } from '../../src/app/worker-part.js';
import { loadConfig } from '../../src/config.js';
import { assets, jobs } from '../../src/db/schema.js';
import { createLogger } from '../../src/shared/logger.js';
import type { RunningWorker } from '../../src/worker/generate-worker.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createStubGenerator } from '../support/stub-generator.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/** The drill's outage: longer than every retry BullMQ would spend on a job (3 attempts, 2 s + 4 s). */
const OUTAGE_MS = Number(process.env.OUTAGE_DRILL_MS ?? 15_000);
const JOBS = 100;

let stack: TestStack;
let proxy: TcpProxy;
let workerRuntime: Runtime;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  stack = await startTestStack({
    worker: false,
    web: false,
    env: { MAX_PENDING_PER_USER: '1000', RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_BURST: '1000', MAX_QUEUE: '1000' },
  });
  // Only the worker talks to Postgres through the proxy; the test reads the records directly.
  const dbUrl = new URL(stack.env.DATABASE_URL!);
  proxy = await startTcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
  dbUrl.host = `127.0.0.1:${proxy.port}`;
  const config = loadConfig({ ...stack.env, DATABASE_URL: dbUrl.toString() });
  workerRuntime = await createRuntime(config, createLogger({ level: 'silent', secrets: [] }));
});
afterAll(async () => {
  await worker?.close();
  await workerRuntime.close();
  await proxy.close();
  await stack.close();
});

function actor(user: string): Actor {
  return { platform: 'web', spaceExternalId: 'outage', userExternalId: user, platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' };
}

test(`Postgres unreachable for ${OUTAGE_MS / 1000} s under ${JOBS} queued jobs: all complete once, no attempt spent, slots freed`, { timeout: 90_000 }, async () => {
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const result = await stack.runtime.service.submit(actor(`user-${i % 5}`), { prompt: `outage ${i}`, width: 64, height: 64, steps: 1 });
    if (!result.ok) throw new Error(JSON.stringify(result));
    ids.push(result.value.job.id);
  }

  const generated = new Map<string, number>();
  const completedEvents = new Map<string, number>();
  let firstCompletions!: () => void;
  const someCompleted = new Promise<void>((resolve) => (firstCompletions = resolve));
  await stack.runtime.events.subscribe((event: JobEvent) => {
    if (event.type !== 'completed') return;
    completedEvents.set(event.jobId, (completedEvents.get(event.jobId) ?? 0) + 1);
    if (completedEvents.size === 5) firstCompletions();
  });
  const generator = await createStubGenerator((input) => generated.set(input.jobId, (generated.get(input.jobId) ?? 0) + 1));
  worker = await startWorker(workerRuntime, { generator, recordProbeMs: 200, sweepIntervalMs: 1_000 });

  // Cut while the worker is busy: jobs in every step (claim, generation, commit) lose Postgres.
  await someCompleted;
  await proxy.cut();
  await sleep(OUTAGE_MS);
  // BullMQ gave up on nothing while Postgres was away.
  expect(await stack.runtime.queue.queue.getJobCounts('failed')).toEqual({ failed: 0 });
  await proxy.restore();

  const deadline = Date.now() + 40_000;
  let done = 0;
  while (Date.now() < deadline) {
    const rows = await stack.database.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.status, 'completed'));
    done = rows.length;
    if (done === JOBS && completedEvents.size === JOBS) break;
    await sleep(200);
  }
  expect(done).toBe(JOBS);

  // None twice: one render, one completed event and one set of files per job.
  expect([...generated.values()].filter((n) => n !== 1)).toEqual([]);
  expect(generated.size).toBe(JOBS);
  expect(completedEvents.size).toBe(JOBS);
  expect([...completedEvents.values()].every((n) => n === 1)).toBe(true);
  const files = await stack.database.db.select({ jobId: assets.jobId }).from(assets).where(inArray(assets.jobId, ids));
  expect(files).toHaveLength(JOBS * 3);

  // Every user's slots are free again: admission counts none of theirs as pending.
  for (let u = 0; u < 5; u++) {
    const [row] = await stack.database.db.select({ userId: jobs.userId }).from(jobs).where(eq(jobs.id, ids[u]!));
    const probe = await stack.runtime.admission.admit({ userKey: row!.userId, jobId: `probe-${u}`, limits: { ratePerMinute: 100_000, burst: 1_000, maxPending: 1_000 } });
    expect(probe).toMatchObject({ ok: true, pendingBefore: 0 });
    await stack.runtime.admission.release(row!.userId, `probe-${u}`);
  }
});
