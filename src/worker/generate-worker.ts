import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobEventBus } from '../core/ports.js';
import { GENERATE_QUEUE, type GenerateJobData } from '../infra/queue.js';
import type { Logger } from '../shared/logger.js';
import { processJob, type ProcessDeps } from './process-job.js';
import { failStalledJob, isStalledFailure } from './stalled.js';

export interface WorkerSettings {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** How long a shutdown waits for running jobs before handing them back to the queue. */
  shutdownGraceMs: number;
  /** BullMQ lock; a crashed worker's job returns to the queue after about this long. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
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
      case 'failed':
        if (result.retry === 'never') throw new UnrecoverableError(result.code);
        if (result.retry === 'rate_limit') {
          await queue.rateLimit(result.retryAfterMs ?? 5_000);
          throw Worker.RateLimitError();
        }
        throw new Error(result.code);
    }
  };

  const worker = new Worker<GenerateJobData>(GENERATE_QUEUE, processor, {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs ?? 30_000,
    stalledInterval: settings.stalledIntervalMs ?? 30_000,
    maxStalledCount: 2,
  });
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

  return {
    worker,
    async close() {
      shuttingDown = true;
      await unsubscribe();
      const graceful = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), settings.shutdownGraceMs);
      });
      if ((await Promise.race([graceful.then(() => 'closed' as const), grace])) === 'timeout') {
        log.warn('shutdown grace period over: handing running jobs back to the queue');
        worker.cancelAllJobs('shutdown');
        await graceful;
      }
      clearTimeout(timer);
      await queue.close();
    },
  };
}
