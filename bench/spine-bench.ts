import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Runtime } from '../src/app/runtime.js';
import { startWorker } from '../src/app/worker-part.js';
import type { Actor } from '../src/core/actor.js';
import { createStubGenerator } from '../test/support/stub-generator.js';
import { benchEnvironment } from './environment.js';
import { deletePrefix } from './redis-prefix.js';
import { measureFloors, type SpineFloors } from './spine-floors.js';
import { summarize } from './stats.js';

const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 400);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 20);
const WARMUP = 30;
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
  floors: SpineFloors;
}

/**
 * Matches completions to waiters by id. A completion may arrive before its id is known to the
 * caller (a fast worker can finish before submit returns), so early ones are kept until asked for.
 */
class Completions {
  private readonly waiters = new Map<string, () => void>();
  private readonly early = new Set<string>();

  arrived(id: string): void {
    const waiter = this.waiters.get(id);
    if (waiter) {
      this.waiters.delete(id);
      waiter();
    } else {
      this.early.add(id);
    }
  }

  wait(id: string): Promise<void> {
    if (this.early.delete(id)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(id, resolve));
  }
}

interface Measured {
  latencies: number[];
  perSecond: number;
}

/** After a warm-up: one at a time for latencies, or SUBMITTERS loops for `seconds` for throughput. */
async function measure(runOne: (submitter: number) => Promise<void>, seconds: number | undefined): Promise<Measured> {
  const timed = async (submitter: number) => {
    const started = performance.now();
    await runOne(submitter);
    return performance.now() - started;
  };
  for (let i = 0; i < WARMUP; i++) await runOne(0);
  if (seconds === undefined) {
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) latencies.push(await timed(i % 20));
    return { latencies, perSecond: 0 };
  }
  let completed = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SUBMITTERS }, async (_, submitter) => {
      while (performance.now() < deadline) {
        await runOne(submitter);
        completed++;
      }
    }),
  );
  return { latencies: [], perSecond: completed / ((performance.now() - started) / 1000) };
}

/** One job through the service: submit (validate, policy, limits, record, enqueue) until its completed event. */
async function serviceRunner(runtime: Runtime): Promise<(submitter: number) => Promise<void>> {
  const completions = new Completions();
  await runtime.events.subscribe((event) => {
    if (event.type === 'completed') completions.arrived(event.jobId);
  });
  return async (submitter) => {
    const submitted = await runtime.service.submit(actor(`user-${submitter}`), request);
    if (!submitted.ok) throw new Error(`bench submit refused: ${submitted.code}`);
    await completions.wait(submitted.value.job.id);
  };
}

/** Whole path in one process: submit -> worker -> media -> records -> completed event. */
async function measureService(concurrency: number, seconds: number | undefined): Promise<Measured> {
  const env = await benchEnvironment({ WORKER_CONCURRENCY: String(concurrency) });
  const runOne = await serviceRunner(env.runtime);
  const worker = await startWorker(env.runtime, { generator: await createStubGenerator() });
  try {
    return await measure(runOne, seconds);
  } finally {
    await worker.close();
    await env.close();
  }
}

/** Submitters here, the worker in a child process, events back over Redis: the deployed shape. */
async function measureSplit(concurrency: number, seconds: number): Promise<number> {
  const env = await benchEnvironment({ WORKER_CONCURRENCY: String(concurrency) });
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
    return (await measure(await serviceRunner(env.runtime), seconds)).perSecond;
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
    await once(child, 'exit');
    await env.close();
  }
}

/** Bare BullMQ on the same Redis: add -> no-op processor -> completed, the floor we are compared to. */
async function measureBullmq(concurrency: number, seconds: number | undefined): Promise<Measured> {
  const prefix = `apbench_bare_${Date.now().toString(36)}`;
  const connection = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix });
  const completions = new Completions();
  const worker = new Worker('bare', async () => 'ok', { connection, prefix, concurrency });
  worker.on('completed', (job) => completions.arrived(job.id!));
  await worker.waitUntilReady();
  let counter = 0;
  try {
    return await measure(async () => {
      const id = `bare-${++counter}`;
      await queue.add('bare', { n: id }, { jobId: id, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } });
      await completions.wait(id);
    }, seconds);
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
  const floorEnv = await benchEnvironment();
  const floors = await measureFloors({ databaseUrl: floorEnv.env.DATABASE_URL!, inFlight: WORKER_CONCURRENCY, seconds: Math.min(THROUGHPUT_SECONDS, 10), samples: LATENCY_SAMPLES }).finally(() => floorEnv.close());
  return {
    floors,
    overhead: summarize(serviceLatency.latencies),
    baselineOverhead: summarize(baselineLatency.latencies),
    throughput: serviceRate.perSecond,
    splitThroughput: splitRate,
    baselineThroughput: baselineRate.perSecond,
  };
}
