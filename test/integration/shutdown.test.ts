import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { buildWeb } from '../../src/app/web-part.js';
import type { JobEvent } from '../../src/core/events.js';
import { jobs } from '../../src/db/schema.js';
import { composeCommand, dockerfileCommand, spawnContainerCommand } from '../support/container-commands.js';
import { followSse } from '../support/sse-stream.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * SIGTERM to the processes as the container image runs them (the Dockerfile's CMD, the compose
 * file's commands): stop taking jobs, hand the running one back, end live streams, exit promptly.
 */

const GRACE_MS = 2_000;
/** Far below the slow job's length, so a process that waits for the job cannot pass. */
const EXIT_DEADLINE_MS = GRACE_MS + 6_000;
/** 80 steps at 300 ms: about 24 s, long past the grace period. */
/** A child compiles the sources as it loads them: slow on a busy machine. */
const STARTUP_MS = 60_000;
const SLOW_JOB = { width: 64, height: 64, steps: 80, seed: 3 };

let stack: TestStack;
let helperWeb: FastifyInstance;
let helperUrl: string;
let child: ChildProcess | undefined;
const seen: JobEvent[] = [];

beforeEach(async () => {
  seen.length = 0;
  stack = await startTestStack({ web: false, worker: false });
  await stack.runtime.events.subscribe((event) => void seen.push(event));
  // The child owns stack.env's port; jobs are submitted through a web server of the test's own.
  helperWeb = await buildWeb(stack.runtime);
  helperUrl = await helperWeb.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
  await helperWeb.close();
  await stack.close();
});

function start(argv: string[]): ChildProcess {
  const proc = spawnContainerCommand(argv, { ...stack.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: String(GRACE_MS), BUILTIN_STEP_DELAY_MS: '300', WORKER_CONCURRENCY: '2' });
  proc.stderr?.resume();
  return proc;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function webAnswers(): Promise<void> {
  await until('the web server', async () => ((await fetch(`${stack.baseUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined), STARTUP_MS);
}

async function submit(user: string, body: Record<string, unknown> = SLOW_JOB): Promise<string> {
  const response = await fetch(`${helperUrl}/api/anime/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await stack.token(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a lighthouse at dusk', ...body }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { job_id: string }).job_id;
}

function running(jobId: string): Promise<true> {
  return until('the job to be under way', () => (seen.some((e) => e.jobId === jobId && e.type === 'progress' && e.step >= 2) ? true : undefined), STARTUP_MS);
}

/** Exit code, or a failure naming the deadline if the process is still alive by then. */
async function exitCode(proc: ChildProcess, deadlineMs: number): Promise<number | null> {
  const timeout = new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), deadlineMs).unref());
  const result = await Promise.race([once(proc, 'exit').then(([code]) => code as number | null), timeout]);
  if (result === 'alive') throw new Error(`still running ${deadlineMs} ms after SIGTERM`);
  return result;
}

/** Back in the queue with no attempt spent, and never reported failed. */
async function expectHandedBack(jobId: string): Promise<void> {
  const [record] = await stack.database.db.select().from(jobs).where(eq(jobs.id, jobId));
  expect(record!.status).toBe('queued');
  const queued = await stack.runtime.queue.queue.getJob(jobId);
  expect(['waiting', 'prioritized']).toContain(await queued!.getState());
  expect(queued!.attemptsMade).toBe(0);
  expect(seen.some((e) => e.jobId === jobId && e.type === 'failed')).toBe(false);
}

test('the image command (web + worker): SIGTERM ends live streams, takes no new job, hands the running one back, exits promptly', { timeout: 90_000 }, async () => {
  child = start(dockerfileCommand());
  await webAnswers();
  const slow = await submit('sse-user');
  await running(slow);
  const stream = followSse(
    await fetch(`${stack.baseUrl}/api/anime/generation/${slow}/events`, { headers: { authorization: `Bearer ${await stack.token('sse-user')}` } }),
  );
  await stream.next((e) => e.event === 'status');

  child.kill('SIGTERM');
  // The client is told to come back, then the stream ends (the worker stopped taking jobs before this).
  const reconnect = await stream.next((e) => e.event === 'reconnect', EXIT_DEADLINE_MS);
  expect(reconnect.data).toMatchObject({ reason: 'server_shutting_down' });
  await stream.ended;
  const late = await submit('late-user', { width: 64, height: 64, steps: 2, seed: 4 });

  expect(await exitCode(child, EXIT_DEADLINE_MS)).toBe(0);
  await expectHandedBack(slow);
  // Queued after SIGTERM: left for the next process, not started by this one.
  expect(seen.some((e) => e.jobId === late && e.type === 'started')).toBe(false);
  await expectHandedBack(late);
});

test('the compose worker command: SIGTERM mid-job hands the job back without spending an attempt', { timeout: 90_000 }, async () => {
  child = start(composeCommand('worker'));
  const jobId = await submit('worker-user');
  await running(jobId);

  child.kill('SIGTERM');
  expect(await exitCode(child, EXIT_DEADLINE_MS)).toBe(0);
  await expectHandedBack(jobId);
});
