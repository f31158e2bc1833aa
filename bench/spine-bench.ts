import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startWorker } from '../src/app/worker-part.js';
import type { Actor } from '../src/core/actor.js';
import type { JobEvent } from '../src/core/events.js';
import { createStubGenerator } from '../test/support/stub-generator.js';
import { benchEnvironment } from './environment.js';
import { deletePrefix } from './redis-prefix.js';
import { summarize } from './stats.js';

const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 400);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 20);
const SUBMITTERS = 32;
const WORKER_CONCURRENCY = 16;

const actor = (user: string): Actor => ({ platform: 'web', spaceExternalId: 'bench', userExternalId: user, platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' });
const request = { prompt: 'a girl with silver hair under cherry blossoms', width: 64, height: 64, steps: 1 };

export interface SpineFigures {
  overhead: { p50: number; p99: number; n: number };
  baselineOverhead: { p50: number; p99: number; n: number };
  throughput: number;
  /** Same load, with the worker in its own process (as `npm run worker` deploys it). */
  splitThroughput: number;
  baselineThroughput: number;
}

/** Submitters here, the worker in a child process, events back over Redis: the deployed shape. */
async function measureSplit(concurrency: number, seconds: number): Promise<number> {
  const env = await benchEnvironment({ WORKER_CONCURRENCY: String(concurrency) });
  const { runtime } = env;
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./stub-worker.ts', import.meta.url))], {
    env: { ...process.env, ...env.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`stub worker exited with ${code}`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
    });
    const waiting = new Map<string, () => void>();
    await runtime.events.subscribe((event: JobEvent) => {
      if (event.type === 'completed') waiting.get(event.jobId)?.();
    });
    let completed = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async (_, s) => {
        while (performance.now() < deadline) {
          let finished!: () => void;
          const done = new Promise<void>((resolve) => (finished = resolve));
          const submitted = await runtime.service.submit(actor(`user-${s}`), request);
          if (!submitted.ok) throw new Error(`bench submit refused: ${submitted.code}`);
          waiting.set(submitted.value.job.id, finished);
          await done;
          waiting.delete(submitted.value.job.id);
          completed++;
        }
      }),
    );
    return completed / ((performance.now() - started) / 1000);
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
    await once(child, 'exit');
    await env.close();
  }
}

/** Whole path: submit (validate, policy, limits, record, enqueue) -> worker -> media -> records -> completed event. */
async function measureService(concurrency: number, seconds: number | undefined): Promise<{ latencies: number[]; perSecond: number }> {
  const env = await benchEnvironment({ WORKER_CONCURRENCY: String(concurrency) });
  const { runtime } = env;
  const waiting = new Map<string, () => void>();
  await runtime.events.subscribe((event: JobEvent) => {
    if (event.type === 'completed') waiting.get(event.jobId)?.();
  });
  const worker = await startWorker(runtime, { generator: await createStubGenerator() });
  const runOne = async (user: string): Promise<number> => {
    const started = performance.now();
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const submitted = await runtime.service.submit(actor(user), request);
    if (!submitted.ok) throw new Error(`bench submit refused: ${submitted.code}`);
    waiting.set(submitted.value.job.id, finished);
    await done;
    waiting.delete(submitted.value.job.id);
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < 30; i++) await runOne('warmup');
    if (seconds === undefined) {
      const latencies: number[] = [];
      for (let i = 0; i < LATENCY_SAMPLES; i++) latencies.push(await runOne(`user-${i % 20}`));
      return { latencies, perSecond: 0 };
    }
    let completed = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async (_, s) => {
        while (performance.now() < deadline) {
          await runOne(`user-${s}`);
          completed++;
        }
      }),
    );
    return { latencies: [], perSecond: completed / ((performance.now() - started) / 1000) };
  } finally {
    await worker.close();
    await env.close();
  }
}

/** Bare BullMQ on the same Redis: add -> no-op processor -> completed, the floor we are compared to. */
async function measureBullmq(concurrency: number, seconds: number | undefined): Promise<{ latencies: number[]; perSecond: number }> {
  const prefix = `apbench_bare_${Date.now().toString(36)}`;
  const connection = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix });
  const waiting = new Map<string, () => void>();
  const worker = new Worker('bare', async () => 'ok', { connection, prefix, concurrency });
  worker.on('completed', (job) => waiting.get(job.id!)?.());
  await worker.waitUntilReady();
  let counter = 0;
  const runOne = async (): Promise<number> => {
    const started = performance.now();
    const id = `bare-${++counter}`;
    const done = new Promise<void>((resolve) => waiting.set(id, resolve));
    await queue.add('bare', { n: id }, { jobId: id, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } });
    await done;
    waiting.delete(id);
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < 30; i++) await runOne();
    if (seconds === undefined) {
      const latencies: number[] = [];
      for (let i = 0; i < LATENCY_SAMPLES; i++) latencies.push(await runOne());
      return { latencies, perSecond: 0 };
    }
    let completed = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (performance.now() < deadline) {
          await runOne();
          completed++;
        }
      }),
    );
    return { latencies: [], perSecond: completed / ((performance.now() - started) / 1000) };
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
    await once(connection, 'end').catch(() => undefined);
    await deletePrefix(prefix);
  }
}

export async function benchSpine(): Promise<SpineFigures> {
  const baselineLatency = await measureBullmq(1, undefined);
  const serviceLatency = await measureService(1, undefined);
  const baselineRate = await measureBullmq(WORKER_CONCURRENCY, THROUGHPUT_SECONDS);
  const serviceRate = await measureService(WORKER_CONCURRENCY, THROUGHPUT_SECONDS);
  const splitRate = await measureSplit(WORKER_CONCURRENCY, THROUGHPUT_SECONDS);
  return {
    overhead: summarize(serviceLatency.latencies),
    baselineOverhead: summarize(baselineLatency.latencies),
    throughput: serviceRate.perSecond,
    splitThroughput: splitRate,
    baselineThroughput: baselineRate.perSecond,
  };
}
