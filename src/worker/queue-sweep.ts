import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { routeOfJob } from '../core/routes.js';
import type { BullJobQueue } from '../infra/queue.js';
import type { Logger } from '../shared/logger.js';
import type { WorkerJobStore } from './job-store.js';
import { settleWaiting, type ProcessDeps } from './process-job.js';

/**
 * Postgres is the system of record, the queue only holds ids. Every unfinished job whose queue
 * entry is missing (Redis lost it) or failed (BullMQ gave up on it while its record still says
 * queued/running) is put back; the enqueue is idempotent by job id. Returns how many were restored.
 */
export async function restoreLostJobs(store: Pick<WorkerJobStore, 'unfinishedJobs' | 'getJob'>, queue: BullJobQueue, limit = 10_000): Promise<number> {
  const defaultModel = queue.routes[0]?.model ?? 'default';
  let restored = 0;
  for (const job of await store.unfinishedJobs(limit)) {
    const stillUnfinished = async () => {
      const record = await store.getJob(job.id);
      return record?.status === 'queued' || record?.status === 'running';
    };
    if (await queue.restoreIfLost(job.id, job.priority, routeOfJob(job, defaultModel), stillUnfinished)) restored++;
  }
  return restored;
}

/**
 * Jobs left waiting on a render that has ended (its worker stopped between recording the end and
 * settling them, or BullMQ failed it for stalling): completed with its files, or one renders now.
 */
export async function settleStrandedWaiting(deps: Pick<ProcessDeps, 'store' | 'admission' | 'events' | 'enqueue'>, log: Logger): Promise<number> {
  const stranded = await deps.store.waiting.strandedTwins();
  for (const { twinId, status } of stranded) await settleWaiting(deps, twinId, status === 'completed' ? 'completed' : 'failed', log);
  return stranded.length;
}

/**
 * Active jobs whose worker is gone. Each worker has a unique name that BullMQ records on the jobs
 * it takes and on its blocking connection; a killed process's connections close at once, so its
 * jobs can be handed back now instead of after their lock runs out. Seen twice before acting
 * (the caller keeps the previous sighting), so a worker that is only reconnecting keeps its jobs.
 */
export class OrphanReclaimer {
  private suspects = new Set<string>();

  constructor(
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  /** Looks for orphans; hands back those already seen last time. Returns the ids handed back. */
  async sweep(): Promise<string[]> {
    const orphans = await this.findOrphans();
    const confirmed = [...orphans.keys()].filter((id) => this.suspects.has(id));
    this.suspects = new Set(orphans.keys());
    const reclaimed: string[] = [];
    for (const id of confirmed) {
      const job = orphans.get(id)!;
      const token = await this.redis.get(`${this.queue.toKey(id)}:lock`);
      // No lock left: BullMQ's stalled check moves it (to the head of the line) on its own.
      if (!token) continue;
      try {
        await job.moveToWait(token);
        reclaimed.push(id);
      } catch (error) {
        this.log.debug({ err: error, jobId: id }, 'orphaned job changed hands meanwhile');
      }
    }
    if (reclaimed.length > 0) this.log.warn({ jobIds: reclaimed }, 'handed back jobs of a worker that stopped');
    return reclaimed;
  }

  /** True when some active job looks orphaned now (worth a second look soon). */
  get hasSuspects(): boolean {
    return this.suspects.size > 0;
  }

  private async findOrphans(): Promise<Map<string, Awaited<ReturnType<Queue['getJobs']>>[number]>> {
    const found = new Map<string, Awaited<ReturnType<Queue['getJobs']>>[number]>();
    const workers = await this.queue.getWorkers();
    const names = new Set<string>();
    for (const worker of workers) {
      // Without CLIENT LIST (some managed Redis) nobody can be told dead: leave it to the lock.
      if (typeof worker.rawname !== 'string') return found;
      const at = worker.rawname.indexOf(':w:');
      if (at >= 0) names.add(worker.rawname.slice(at + 3));
    }
    for (const job of await this.queue.getJobs(['active'])) {
      if (job?.id && job.processedBy && !names.has(job.processedBy)) found.set(job.id, job);
    }
    return found;
  }
}
