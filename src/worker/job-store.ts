import { and, eq, inArray, sql } from 'drizzle-orm';
import type { JobRecord } from '../core/records.js';
import type { Database } from '../db/client.js';
import type { PostgresRecords } from '../db/records.js';
import { assets, jobs } from '../db/schema.js';

export interface NewAsset {
  /** Chosen before the insert so the completed event can name it. */
  id: string;
  outputIndex: number;
  variant: 'original' | 'webp' | 'thumbnail';
  kind: 'image' | 'video';
  mime: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  storageKey: string;
  qualityScore?: number | null;
}

/** The worker's writes to the system of record. Each guards on status so a late write never resurrects a job. */
export class WorkerJobStore {
  constructor(
    private readonly db: Database,
    private readonly records: PostgresRecords,
  ) {}

  getJob(jobId: string): Promise<JobRecord | null> {
    return this.records.getJob(jobId);
  }

  /** queued/running -> running. False when the job was cancelled or already ended. */
  async markRunning(jobId: string, backend: string, attempt: number): Promise<boolean> {
    const rows = await this.db
      .update(jobs)
      .set({
        status: 'running',
        stage: 'starting',
        progress: 0,
        backend,
        attempts: attempt,
        startedAt: sql`coalesce(${jobs.startedAt}, now())`,
        updatedAt: new Date(),
        errorCode: null,
        errorMessage: null,
      })
      .where(and(eq(jobs.id, jobId), inArray(jobs.status, ['queued', 'running'])))
      .returning({ id: jobs.id });
    return rows.length > 0;
  }

  async updateProgress(jobId: string, progress: number, stage: string): Promise<void> {
    await this.db
      .update(jobs)
      .set({ progress, stage, updatedAt: new Date() })
      .where(and(eq(jobs.id, jobId), eq(jobs.status, 'running')));
  }

  /**
   * Records the files and completes the job in one transaction. The unique (job, output, variant)
   * index makes a re-run after a crash write nothing twice. False when the job stopped being ours.
   */
  async complete(jobId: string, files: NewAsset[], job: Pick<JobRecord, 'projectId' | 'spaceId'>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated = await tx
        .update(jobs)
        .set({ status: 'completed', stage: 'done', progress: 100, finishedAt: new Date(), updatedAt: new Date() })
        .where(and(eq(jobs.id, jobId), eq(jobs.status, 'running')))
        .returning({ id: jobs.id });
      if (updated.length === 0) return false;
      if (files.length > 0) {
        await tx
          .insert(assets)
          .values(files.map((f) => ({ ...f, jobId, projectId: job.projectId, spaceId: job.spaceId })))
          .onConflictDoNothing();
      }
      return true;
    });
  }

  async fail(jobId: string, failure: { code: string; message: string; ref?: string }): Promise<void> {
    await this.db
      .update(jobs)
      .set({
        status: 'failed',
        stage: 'failed',
        errorCode: failure.code,
        errorMessage: failure.message,
        errorRef: failure.ref ?? null,
        finishedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(and(eq(jobs.id, jobId), inArray(jobs.status, ['queued', 'running'])));
  }

  /** A retry or a hand-back: the job waits in line again. */
  async requeue(jobId: string, stage: string, failure?: { code: string; message: string }): Promise<void> {
    await this.db
      .update(jobs)
      .set({
        status: 'queued',
        stage,
        progress: 0,
        errorCode: failure?.code ?? null,
        errorMessage: failure?.message ?? null,
        updatedAt: new Date(),
      })
      .where(and(eq(jobs.id, jobId), eq(jobs.status, 'running')));
  }

  /** Jobs the record says are unfinished, oldest first: the reconciler checks each is in the queue. */
  async unfinishedJobs(limit: number): Promise<Array<{ id: string; priority: number }>> {
    return this.db
      .select({ id: jobs.id, priority: jobs.priority })
      .from(jobs)
      .where(inArray(jobs.status, ['queued', 'running']))
      .orderBy(jobs.createdAt)
      .limit(limit);
  }
}
