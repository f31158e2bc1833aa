import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobQueue } from '../core/ports.js';
import { routeKey, type JobRoute } from '../core/routes.js';

/** Kept for the default route (image jobs on the first model), so a queue from before the farm keeps running. */
export const GENERATE_QUEUE = 'generate';

export interface GenerateJobData {
  jobId: string;
}

export interface QueueSettings {
  prefix: string;
  attempts: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
  /** Every route the offered models make; the first is the default (image, first model). */
  routes: readonly JobRoute[];
}

/**
 * One BullMQ queue per route (kind x model): BullMQ cannot fetch selectively from one queue, so a
 * backend listens only on the queues of the routes it can run. The default route keeps the name
 * 'generate'; the others are `generate.<kind>.<model>`.
 */
export function queueNameOf(route: JobRoute, defaultRoute: JobRoute | undefined): string {
  if (defaultRoute && routeKey(route) === routeKey(defaultRoute)) return GENERATE_QUEUE;
  return `${GENERATE_QUEUE}.${routeKey(route)}`;
}

/** The BullMQ side of the JobQueue port. Postgres holds the job; BullMQ holds only its id. */
export class BullJobQueue implements JobQueue {
  private readonly queues = new Map<string, Queue<GenerateJobData>>();
  /** The default route's queue. */
  readonly queue: Queue<GenerateJobData>;

  constructor(
    private readonly connection: Redis,
    private readonly settings: QueueSettings,
  ) {
    this.queue = this.queueFor(settings.routes[0] ?? { kind: 'image', model: 'default' });
  }

  get routes(): readonly JobRoute[] {
    return this.settings.routes;
  }

  nameOf(route: JobRoute): string {
    return queueNameOf(route, this.settings.routes[0]);
  }

  /** The queue of one route (made on first use; closed with this). */
  queueFor(route: JobRoute): Queue<GenerateJobData> {
    const name = this.nameOf(route);
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<GenerateJobData>(name, { connection: this.connection, prefix: this.settings.prefix });
      this.queues.set(name, queue);
      for (const listener of this.errorListeners) queue.on('error', listener);
    }
    return queue;
  }

  private readonly errorListeners: Array<(error: Error) => void> = [];

  /** BullMQ re-emits its connection's errors; without a listener it prints them to stderr. */
  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
    for (const queue of this.queues.values()) queue.on('error', listener);
  }

  async enqueue(jobId: string, priority: number, route: JobRoute): Promise<void> {
    // jobId = our id makes the add idempotent: a re-enqueue after a crash never duplicates work.
    await this.queueFor(route).add(
      'generate',
      { jobId },
      {
        jobId,
        priority,
        attempts: this.settings.attempts,
        backoff: { type: 'exponential', delay: this.settings.backoffMs ?? 2_000 },
        removeOnComplete: { count: 1_000, age: 24 * 3600 },
        removeOnFail: { count: 5_000, age: 7 * 24 * 3600 },
      },
    );
  }

  async removeWaiting(jobId: string, route: JobRoute): Promise<boolean> {
    const job = await this.queueFor(route).getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'active' || state === 'completed' || state === 'failed') return false;
    try {
      await job.remove();
      return true;
    } catch {
      // Picked up by a worker between getState and remove: it is running now.
      return false;
    }
  }

  /**
   * Puts an unfinished job back in line when its queue entry is gone or failed (a failed entry is
   * removed first, or its id could never run again). False when the entry is alive.
   */
  async restoreIfLost(jobId: string, priority: number, route: JobRoute, stillUnfinished: () => Promise<boolean>): Promise<boolean> {
    const queue = this.queueFor(route);
    const state = await queue.getJobState(jobId);
    if (state !== 'unknown' && state !== 'failed') return false;
    // Checked after the queue: the job may have ended between the caller's read and ours.
    if (!(await stillUnfinished())) return false;
    if (state === 'failed') await queue.remove(jobId);
    await this.enqueue(jobId, priority, route);
    return true;
  }

  /** Jobs waiting or running on every route. */
  async size(): Promise<number> {
    let sum = 0;
    for (const route of this.settings.routes) {
      const counts = await this.queueFor(route).getJobCounts('wait', 'prioritized', 'delayed', 'active');
      sum += Object.values(counts).reduce((total, n) => total + n, 0);
    }
    return sum;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
