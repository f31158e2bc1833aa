import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { assets, jobAttempts, jobs } from '../../src/db/schema.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let stack: TestStack;
let child: ChildProcess | undefined;
const seen: JobEvent[] = [];
const waiters: Array<{ match: (e: JobEvent) => boolean; resolve: (e: JobEvent) => void }> = [];

function nextEvent(match: (e: JobEvent) => boolean, timeoutMs = 20_000): Promise<JobEvent> {
  const already = seen.find(match);
  if (already) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for a job event')), timeoutMs);
    waiters.push({
      match,
      resolve: (e) => {
        clearTimeout(timer);
        resolve(e);
      },
    });
  });
}

beforeEach(async () => {
  seen.length = 0;
  stack = await startTestStack({ worker: false, env: { WORKER_LOCK_MS: '1000' } });
  await stack.runtime.events.subscribe((event) => {
    seen.push(event);
    for (const w of waiters.splice(0)) {
      if (w.match(event)) w.resolve(event);
      else waiters.push(w);
    }
  });
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await stack.close();
});

/** A worker in its own process, as `npm run worker` runs it, slowed so we can stop it mid-job. */
function spawnWorker(extraEnv: Record<string, string>): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env, BUILTIN_STEP_DELAY_MS: '150', ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return proc;
}

async function submit(): Promise<string> {
  const token = await stack.token('restart-user');
  const response = await fetch(`${stack.baseUrl}/api/anime/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a robot in the snow', width: 128, height: 128, steps: 40, seed: 7 }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { job_id: string }).job_id;
}

async function expectCompletedOnce(jobId: string): Promise<void> {
  await nextEvent((e) => e.jobId === jobId && e.type === 'completed');
  const [job] = await stack.database.db.select().from(jobs).where(eq(jobs.id, jobId));
  expect(job!.status).toBe('completed');
  const rows = await stack.database.db.select().from(assets).where(eq(assets.jobId, jobId));
  expect(rows).toHaveLength(3);
  expect(seen.filter((e) => e.jobId === jobId && e.type === 'completed')).toHaveLength(1);
}

test('a worker killed mid-job: the job returns to the queue and completes once on another worker', async () => {
  const jobId = await submit();
  child = spawnWorker({});
  await nextEvent((e) => e.jobId === jobId && e.type === 'progress' && e.step >= 2);
  child.kill('SIGKILL');
  await once(child, 'exit');
  const [midway] = await stack.database.db.select().from(jobs).where(eq(jobs.id, jobId));
  expect(midway!.status).toBe('running');

  await stack.startWorker({ lockDurationMs: 1000, stalledIntervalMs: 500 });
  await expectCompletedOnce(jobId);
  // The killed attempt's row was closed by the next claim, at the job's last progress write.
  const attempts = await stack.database.db.select().from(jobAttempts).where(eq(jobAttempts.jobId, jobId)).orderBy(jobAttempts.startedAt);
  expect(attempts.map((a) => [a.backend, a.outcome])).toEqual([['builtin', 'interrupted'], ['builtin', 'completed']]);
  expect(attempts[0]!.endedAt!.getTime()).toBe(Math.max(attempts[0]!.startedAt.getTime(), midway!.updatedAt.getTime()));
});

test('SIGTERM past the grace period hands the running job back; the next worker finishes it', async () => {
  const jobId = await submit();
  child = spawnWorker({ SHUTDOWN_GRACE_MS: '100' });
  await nextEvent((e) => e.jobId === jobId && e.type === 'progress' && e.step >= 2);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).toBe(0);
  const [handedBack] = await stack.database.db.select().from(jobs).where(eq(jobs.id, jobId));
  expect(handedBack!.status).toBe('queued');

  await stack.startWorker();
  await expectCompletedOnce(jobId);
  // The hand-back did not count as a failed attempt.
  expect(seen.some((e) => e.jobId === jobId && e.type === 'failed')).toBe(false);
  // The stopping worker closed its own row with the GPU time it had used (40 steps of 150 ms were under way).
  const attempts = await stack.database.db.select().from(jobAttempts).where(eq(jobAttempts.jobId, jobId)).orderBy(jobAttempts.startedAt);
  expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'interrupted'], [1, 'completed']]);
  expect(attempts[0]!.gpuMs).toBeGreaterThanOrEqual(300);
});
