import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { AssetRecord, JobRecord } from '../core/records.js';
import type { Database } from '../db/client.js';
import { isUuid } from '../core/ids.js';
import type { JobFailureCode } from '../core/job-failures.js';
import { AttemptRecords } from '../db/attempt-records.js';
import { toJobRecord, type PostgresRecords } from '../db/records.js';
import { PostgresReuseRecords } from '../db/reuse-records.js';
import { jobs, jobWorkflows } from '../db/schema.js';
import type { BuiltRequest } from '../core/generator.js';

/** An asset row before it is recorded: its id is chosen up front so the completed event can name it. */
export interface NewAsset extends Omit<AssetRecord, 'jobId' | 'projectId' | 'createdAt'> {
  qualityScore?: number | null;
}

const COMPLETE_JOB = `
  WITH done AS (
    UPDATE jobs SET status = 'completed', stage = 'done', progress = 100, finished_at = now(), updated_at = now(),
      seed = $3, quality_retried = $4, quality_problems = $5::text[]
    WHERE id = $1 AND status = 'running'
    RETURNING id, project_id, space_id
  ), stored AS (
    INSERT INTO assets (id, job_id, project_id, space_id, output_index, variant, kind, mime, width, height, bytes, sha256, storage_key, quality_score)
    SELECT v.id, done.id, done.project_id, done.space_id, v."outputIndex", v.variant, v.kind, v.mime, v.width, v.height, v.bytes, v.sha256, v."storageKey", v."qualityScore"
    FROM done, jsonb_to_recordset($2::jsonb) AS v(
      id uuid, "outputIndex" int, variant text, kind text, mime text, width int, height int, bytes int, sha256 text, "storageKey" text, "qualityScore" real)
    ON CONFLICT DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM done)::int AS completed`;

/** A failure as recorded: its code, its details (stored as JSON) and the admins' text. */
export interface RecordedFailure {
  code: JobFailureCode;
  details: Readonly<Record<string, string>>;
  adminText?: string;
}

/** What the quality check made of the job: the seed the posted files were rendered with, and whether they needed a second render or still fail. */
export interface QualityOutcome {
  seed: number;
  retried: boolean;
  /** Problems of the posted outputs (core/quality.ts codes); empty when they passed. */
  problems: readonly string[];
}

/** The worker's writes to the system of record. Each guards on status so a late write never resurrects a job. */
export class WorkerJobStore {
  /** One row per attempt (backend, GPU time, outcome): what GPU usage and quotas are summed from. */
  readonly attempts: AttemptRecords;
  /** Jobs waiting on a render: completed with it, or (when it ends without files) one renders instead. */
  readonly waiting: PostgresReuseRecords;

  constructor(
    private readonly db: Database,
    private readonly records: PostgresRecords,
  ) {
    this.attempts = new AttemptRecords(db);
    this.waiting = new PostgresReuseRecords(db);
  }

  /** The backend request an attempt sent; a later attempt's replaces it (the one that made the files is the last). */
  async recordWorkflow(jobId: string, attempt: number, backend: string, sent: BuiltRequest): Promise<void> {
    const values = { jobId, attempt, backend, template: sent.template, templateVersion: sent.templateVersion, workflow: sent.workflow, sentAt: new Date() };
    const { jobId: _key, ...update } = values;
    await this.db.insert(jobWorkflows).values(values).onConflictDoUpdate({ target: jobWorkflows.jobId, set: update });
  }

  getJob(jobId: string): Promise<JobRecord | null> {
    return this.records.getJob(jobId);
  }

  /**
   * queued/running -> running, returning the job, in one round trip. Null when the job is missing,
   * cancelled or already ended: then there is nothing to run. `resumed`: the record still said
   * running, so the previous attempt stopped without ending (its worker died or lost the record).
   * The attempt's row is opened first (closing any row a crashed attempt left open, while the
   * job's updated_at still says when that attempt was last heard of); `attemptId` names it.
   */
  /**
   * `stage` 'ready' marks a job let in ahead of a free box (it waits for the job there to end; the
   * wait estimate and the message read it so), 'starting' one that goes straight to its box.
   */
  async claim(jobId: string, backend: string, attempt: number, stage: 'starting' | 'ready' = 'starting'): Promise<{ job: JobRecord; resumed: boolean; attemptId: string } | null> {
    if (!isUuid(jobId)) return null;
    const attemptId = randomUUID();
    const { opened } = await this.attempts.open({ attemptId, jobId, attempt, backend });
    const [row] = await this.records.hot.claim.execute({ id: jobId, backend, attempt, stage });
    if (!row) {
      // Cancelled between the two statements: the attempt never ran.
      if (opened) await this.attempts.close(attemptId, 'cancelled', 0);
      return null;
    }
    return { job: toJobRecord(row.job, row.slug, row.userExternalId), resumed: row.previousStatus === 'running', attemptId };
  }

  /** Closes the rows of attempts that will never end by themselves (see AttemptRecords). */
  closeAbandonedAttempts(jobId: string): Promise<number> {
    return this.attempts.closeAbandoned(jobId);
  }

  listAssets(jobId: string): Promise<AssetRecord[]> {
    return this.records.listAssets(jobId);
  }

  /** Resolves when Postgres answers; used to learn that an outage is over. */
  async ping(): Promise<void> {
    await this.db.$client.query('SELECT 1');
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
  async complete(jobId: string, files: NewAsset[], quality: QualityOutcome): Promise<boolean> {
    // One prepared statement: one round trip, and the assets go in only if the job was still ours to finish.
    const values = [jobId, JSON.stringify(files), quality.seed, quality.retried, quality.problems.length > 0 ? [...quality.problems] : null];
    const result = await this.db.$client.query<{ completed: number }>({ name: 'ap_job_complete', text: COMPLETE_JOB, values });
    return (result.rows[0]?.completed ?? 0) > 0;
  }

  /** False when the job had already ended (cancelled, or finished elsewhere): nothing to announce. */
  async fail(jobId: string, failure: RecordedFailure & { ref?: string }): Promise<boolean> {
    const changed = await this.db
      .update(jobs)
      .set({
        status: 'failed',
        stage: 'failed',
        errorCode: failure.code,
        errorDetails: JSON.stringify(failure.details),
        errorAdminText: failure.adminText ?? null,
        errorRef: failure.ref ?? null,
        finishedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(and(eq(jobs.id, jobId), inArray(jobs.status, ['queued', 'running'])))
      .returning({ id: jobs.id });
    return changed.length > 0;
  }

  /** A retry or a hand-back: the job waits in line again. */
  async requeue(jobId: string, stage: string, failure?: RecordedFailure): Promise<void> {
    await this.db
      .update(jobs)
      .set({
        status: 'queued',
        stage,
        progress: 0,
        errorCode: failure?.code ?? null,
        errorDetails: failure ? JSON.stringify(failure.details) : null,
        errorAdminText: failure?.adminText ?? null,
        updatedAt: new Date(),
      })
      .where(and(eq(jobs.id, jobId), eq(jobs.status, 'running')));
  }

  /** Jobs the record says are unfinished, oldest first: the reconciler checks each is in the queue. */
  async unfinishedJobs(limit: number): Promise<Array<{ id: string; priority: number; kind: 'image' | 'video'; model: string }>> {
    const rows = await this.db
      .select({ id: jobs.id, priority: jobs.priority, kind: jobs.kind, model: jobs.model })
      .from(jobs)
      // Jobs waiting on a twin are not queued (the twin's end settles them).
      .where(and(inArray(jobs.status, ['queued', 'running']), isNull(jobs.reusedFrom)))
      .orderBy(jobs.createdAt)
      .limit(limit);
    return rows.map((row) => ({ ...row, kind: row.kind === 'video' ? 'video' : 'image' }));
  }
}
