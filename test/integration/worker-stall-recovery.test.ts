import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { jobs } from '../../src/db/schema.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let stack: TestStack;
let child: ChildProcess | undefined;
const seen: Array<JobEvent & { seenAt: number }> = [];

function nextEvent(match: (e: JobEvent) => boolean, timeoutMs = 30_000): Promise<JobEvent & { seenAt: number }> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = seen.find(match);
      if (found) return resolve(found);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for a job event; saw ${seen.map((e) => e.type + ':' + e.jobId.slice(0, 4)).join(' ')}`));
      setTimeout(check, 20);
    };
    check();
  });
}

beforeEach(async () => {
  seen.length = 0;
  // Default WORKER_LOCK_MS and stalled interval: what a deployment runs.
  stack = await startTestStack({ worker: false, env: { BUILTIN_STEP_DELAY_MS: '10' } });
  await stack.runtime.events.subscribe((event) => seen.push({ ...event, seenAt: Date.now() }));
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await stack.close();
});

async function submit(user: string, prompt: string): Promise<string> {
  const token = await stack.token(user);
  const response = await fetch(`${stack.baseUrl}/api/anime/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, width: 128, height: 128, steps: 40, seed: 7 }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { job_id: string }).job_id;
}

test('a worker killed mid-job at default settings: its job runs again within 15 s, before the job queued behind it, announced as a retry', { timeout: 60_000 }, async () => {
  const head = await submit('first-user', 'a robot in the snow');
  const behind = await submit('second-user', 'a cat on a roof');
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env, BUILTIN_STEP_DELAY_MS: '150' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await nextEvent((e) => e.jobId === head && e.type === 'progress' && e.step >= 2);
  child.kill('SIGKILL');
  await once(child, 'exit');
  const killedAt = Date.now();

  // The replacement comes up at once, as a supervisor restarts a worker.
  await stack.startWorker();
  const retrying = await nextEvent((e) => e.jobId === head && e.type === 'retrying');
  expect(retrying).toMatchObject({ type: 'retrying', reason: 'worker_stopped' });
  // The second start of the same job (a hand-back spends no attempt, so the attempt number may repeat).
  const rerun = await nextEvent((e) => e.jobId === head && e.type === 'started' && seen.indexOf(e as (typeof seen)[number]) > seen.indexOf(retrying));
  expect(rerun.seenAt - killedAt).toBeLessThan(15_000);
  const behindStart = await nextEvent((e) => e.jobId === behind && e.type === 'started');
  // The stopped job kept its place at the head of the line.
  expect(rerun.seenAt).toBeLessThanOrEqual(behindStart.seenAt);
  expect(seen.indexOf(rerun)).toBeLessThan(seen.indexOf(behindStart));

  await nextEvent((e) => e.jobId === behind && e.type === 'completed');
  const [record] = await stack.database.db.select().from(jobs).where(eq(jobs.id, head));
  expect(record!.status).toBe('completed');
  expect(seen.filter((e) => e.jobId === head && e.type === 'completed')).toHaveLength(1);
});
