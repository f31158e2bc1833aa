import type { Database } from './client.js';

/** How an attempt ended, as its row says. */
export type AttemptOutcome = 'completed' | 'failed' | 'cancelled' | 'interrupted';

/**
 * Rows of an attempt its worker never closed (it died, or lost Postgres at the end) are closed as
 * interrupted at the last moment the attempt is known to have been alive: the job's updated_at,
 * which its progress writes keep fresh (at most about a second old while the backend reports).
 * Its GPU time runs from the backend's start to that moment. Must run before the next claim
 * refreshes updated_at.
 */
const CLOSE_ABANDONED = `
  UPDATE job_attempts a SET
    ended_at = greatest(a.started_at, j.updated_at),
    gpu_ms = CASE WHEN a.gpu_started_at IS NULL THEN 0
      ELSE greatest(0, floor(extract(epoch FROM j.updated_at - a.gpu_started_at) * 1000))::bigint END,
    outcome = 'interrupted'
  FROM jobs j
  WHERE a.job_id = $1 AND a.ended_at IS NULL AND j.id = a.job_id
  RETURNING a.id`;

/** Closes what a crashed attempt left open and opens this attempt's row, for a job still to run, in one round trip. */
const OPEN_ATTEMPT = `
  WITH closed AS (${CLOSE_ABANDONED}),
  opened AS (
    INSERT INTO job_attempts (id, job_id, attempt, backend, user_id, project_id, space_id)
    SELECT $2, j.id, $3, $4, j.user_id, j.project_id, j.space_id FROM jobs j
    WHERE j.id = $1 AND j.status IN ('queued', 'running')
    RETURNING id
  )
  SELECT (SELECT count(*) FROM closed)::int AS closed, (SELECT count(*) FROM opened)::int AS opened`;

/** The worker's writes to job_attempts: one row per attempt, opened at its start and closed at its end. */
export class AttemptRecords {
  constructor(private readonly db: Database) {}

  /** False when the job is no longer queued or running (nothing was opened; abandoned rows are closed anyway). */
  async open(row: { attemptId: string; jobId: string; attempt: number; backend: string }): Promise<{ opened: boolean; closedAbandoned: number }> {
    const result = await this.db.$client.query<{ closed: number; opened: number }>({
      name: 'ap_attempt_open',
      text: OPEN_ATTEMPT,
      values: [row.jobId, row.attemptId, row.attempt, row.backend],
    });
    const counts = result.rows[0];
    return { opened: (counts?.opened ?? 0) > 0, closedAbandoned: counts?.closed ?? 0 };
  }

  /**
   * The attempt got its box (a job let in ahead is claimed while the box finishes the job before):
   * its stage leaves 'ready', its start moves to now, and so does the job's when this attempt's claim was its first start,
   * so measured job times and waits hold the time on the box, not the wait for it. Statements of
   * one query see the rows as they were, so the job's test reads the attempt's start at the claim.
   */
  async onBox(attemptId: string, jobId: string): Promise<void> {
    await this.db.$client.query({
      name: 'ap_attempt_on_box',
      text: `
        WITH moved AS (UPDATE job_attempts SET started_at = now() WHERE id = $1 AND ended_at IS NULL RETURNING id)
        UPDATE jobs j SET
          started_at = CASE WHEN j.started_at >= a.started_at THEN now() ELSE j.started_at END,
          stage = CASE WHEN j.stage = 'ready' THEN 'starting' ELSE j.stage END
        FROM job_attempts a
        WHERE j.id = $2 AND a.id = $1 AND a.ended_at IS NULL AND EXISTS (SELECT 1 FROM moved)`,
      values: [attemptId, jobId],
    });
  }

  /** An attempt that never reached its backend (withdrawn before its box was free): no row, as if never opened. */
  async discard(attemptId: string): Promise<void> {
    await this.db.$client.query({
      name: 'ap_attempt_discard',
      text: 'DELETE FROM job_attempts WHERE id = $1 AND gpu_started_at IS NULL',
      values: [attemptId],
    });
  }

  /** The backend began working on the prompt: the moment a crashed attempt's GPU time counts from. */
  async gpuStarted(attemptId: string): Promise<void> {
    await this.db.$client.query({
      name: 'ap_attempt_gpu_started',
      text: 'UPDATE job_attempts SET gpu_started_at = now() WHERE id = $1 AND gpu_started_at IS NULL AND ended_at IS NULL',
      values: [attemptId],
    });
  }

  /**
   * Closes the attempt with the GPU time its worker measured. The worker's own word wins even over
   * a row the recovery path closed meanwhile (a worker that only looked dead): it measured the time.
   */
  async close(attemptId: string, outcome: AttemptOutcome, gpuMs: number): Promise<void> {
    await this.db.$client.query({
      name: 'ap_attempt_close',
      text: 'UPDATE job_attempts SET ended_at = now(), outcome = $2, gpu_ms = $3 WHERE id = $1',
      values: [attemptId, outcome, Math.max(0, Math.round(gpuMs))],
    });
  }

  /** The recovery path for a job no worker will run again (BullMQ failed it for stalling). */
  async closeAbandoned(jobId: string): Promise<number> {
    const result = await this.db.$client.query({ name: 'ap_attempt_close_abandoned', text: CLOSE_ABANDONED, values: [jobId] });
    return result.rowCount ?? 0;
  }
}
