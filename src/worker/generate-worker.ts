import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { HAND_BACK_REASON } from '../core/generator.js';
import type { JobEventBus } from '../core/ports.js';
import { GENERATE_QUEUE, type GenerateJobData } from '../infra/queue.js';
import type { Logger } from '../shared/logger.js';
import { processJob, type ProcessDeps } from './process-job.js';
import { failStalledJob, isStalledFailure } from './stalled.js';
import { OrphanReclaimer } from './queue-sweep.js';
import { RecordOutagePause } from './record-outage.js';

/** Defaults: a killed worker's job is free again within about lock + stalled check (15 s). */
export const DEFAULT_LOCK_MS = 10_000;
/** How long a starting worker waits to see a missing worker's jobs a second time before taking them back. */
const ORPHAN_CONFIRM_MS = 1_000;

export interface WorkerSettings {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** How long a shutdown waits for running jobs before handing them back to the queue. */
  shutdownGraceMs: number;
  /** BullMQ lock, renewed by BullMQ every half of it while the job runs. */
  lockDurationMs?: number;
  /** How often expired locks are looked for; a crashed worker's job is back within lock + this. */
  stalledIntervalMs?: number;
  /** How often a worker paused by a Postgres outage asks whether Postgres answers again. */
  recordProbeMs?: number;
}

export interface RunningWorker {
  worker: Worker<GenerateJobData>;
  /** Finishes running jobs within the grace period, hands back the rest, then stops. */
  close(): Promise<void>;
}

/** The BullMQ layer: translates processJob's results into BullMQ's job fates. */
export async function startGenerateWorker(settings: WorkerSettings, deps: ProcessDeps, events: JobEventBus, log: Logger): Promise<RunningWorker> {
  let shuttingDown = false;
  // For queue-wide rate limiting when a backend says it is busy.
  const queue = new Queue(GENERATE_QUEUE, { connection: settings.connection, prefix: settings.prefix });

  const processor = async (job: Job<GenerateJobData>, token?: string, signal?: AbortSignal): Promise<string> => {
    const result = await processJob(deps, {
      jobId: job.data.jobId,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      signal: signal ?? new AbortController().signal,
      isShutdown: () => shuttingDown,
    });
    switch (result.kind) {
      case 'done':
      case 'cancelled':
        return result.kind;
      case 'skipped':
        return `skipped:${result.why}`;
      case 'interrupted':
        // Hand the job back without spending an attempt; another worker picks it up.
        await job.moveToWait(token);
        throw new WaitingError();
      case 'unreachable':
        // Same hand-back (front of its priority, attempt unspent), and this worker stops taking
        // jobs until Postgres answers: every claim would fail the same way meanwhile.
        outage.begin();
        await job.moveToWait(token);
        throw new WaitingError();
      case 'failed':
        if (result.retry === 'never') throw new UnrecoverableError(result.code);
        if (result.retry === 'rate_limit') {
          await queue.rateLimit(result.retryAfterMs ?? 5_000);
          throw Worker.RateLimitError();
        }
        throw new Error(result.code);
    }
  };

  const lockDuration = settings.lockDurationMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker<GenerateJobData>(GENERATE_QUEUE, processor, {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    // Unique per process: recorded on each job it takes and on its connection, so a starting worker
    // can tell the jobs of a worker that is gone.
    name: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    autorun: false,
    lockDuration,
    stalledInterval: settings.stalledIntervalMs ?? Math.max(250, Math.round(lockDuration / 2)),
    maxStalledCount: 2,
  });
  const outage = new RecordOutagePause(worker, () => deps.store.ping(), log, settings.recordProbeMs);
  worker.on('error', (error) => log.error({ err: error }, 'worker error'));
  worker.on('failed', (job, error) => {
    // A job that stalled too often fails inside BullMQ without reaching our processor's catch.
    if (job && isStalledFailure(error)) {
      const jobId = job.data.jobId;
      failStalledJob({ store: deps.store, admission: deps.admission, events }, jobId).catch((e: unknown) => log.error({ err: e, jobId }, 'could not record a stalled job'));
    }
  });

  // A user's cancel reaches whichever process runs the job through the event bus.
  const unsubscribe = await events.subscribe((event) => {
    if (event.type === 'cancelled') worker.cancelJob(event.jobId, 'cancelled');
  });
  await worker.waitUntilReady();
  await reclaimOrphansAtStart(new OrphanReclaimer(queue, settings.connection, log), log);
  worker.run().catch((error: unknown) => log.error({ err: error }, 'worker stopped unexpectedly'));

  return {
    worker,
    async close() {
      shuttingDown = true;
      await outage.close();
      await unsubscribe();
      const graceful = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), settings.shutdownGraceMs);
      });
      if ((await Promise.race([graceful.then(() => 'closed' as const), grace])) === 'timeout') {
        log.warn('shutdown grace period over: handing running jobs back to the queue');
        worker.cancelAllJobs(HAND_BACK_REASON);
        await graceful;
      }
      clearTimeout(timer);
      await queue.close();
    },
  };
}

/**
 * Before taking new jobs: a job whose worker was killed goes back to the front of its priority now,
 * so it keeps its place ahead of the jobs queued behind it (waiting for its lock to run out would
 * let this worker take those first).
 */
async function reclaimOrphansAtStart(reclaimer: OrphanReclaimer, log: Logger): Promise<void> {
  try {
    await reclaimer.sweep();
    if (!reclaimer.hasSuspects) return;
    await sleep(ORPHAN_CONFIRM_MS);
    await reclaimer.sweep();
  } catch (error) {
    // Only a shortcut: the stalled check brings such jobs back anyway.
    log.warn({ err: error }, 'could not look for jobs of stopped workers');
  }
}
