import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobQueue } from '../core/ports.js';

export const GENERATE_QUEUE = 'generate';

export interface GenerateJobData {
  jobId: string;
}

export interface QueueSettings {
  prefix: string;
  attempts: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
}

/** The BullMQ side of the JobQueue port. Postgres holds the job; BullMQ holds only its id. */
export class BullJobQueue implements JobQueue {
  readonly queue: Queue<GenerateJobData>;

  constructor(
    connection: Redis,
    private readonly settings: QueueSettings,
  ) {
    this.queue = new Queue<GenerateJobData>(GENERATE_QUEUE, { connection, prefix: settings.prefix });
  }

  async enqueue(jobId: string, priority: number): Promise<void> {
    // jobId = our id makes the add idempotent: a re-enqueue after a crash never duplicates work.
    await this.queue.add(
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

  async removeWaiting(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
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
  async restoreIfLost(jobId: string, priority: number, stillUnfinished: () => Promise<boolean>): Promise<boolean> {
    const state = await this.queue.getJobState(jobId);
    if (state !== 'unknown' && state !== 'failed') return false;
    // Checked after the queue: the job may have ended between the caller's read and ours.
    if (!(await stillUnfinished())) return false;
    if (state === 'failed') await this.queue.remove(jobId);
    await this.enqueue(jobId, priority);
    return true;
  }

  async size(): Promise<number> {
    const counts = await this.queue.getJobCounts('wait', 'prioritized', 'delayed', 'active');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
