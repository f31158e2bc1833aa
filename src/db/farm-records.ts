import type { BackendBusy, BackendTotal, FarmRecords, FinishedBucket, QueueNow, UserGpu } from '../core/farm/farm-records.js';
import type { Database } from './client.js';

/** Reads jobs_status_created: the queued range only. */
const QUEUE_NOW = `
  SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
    count(*) FILTER (WHERE status = 'running')::int AS running,
    min(created_at) FILTER (WHERE status = 'queued') AS oldest
  FROM jobs WHERE status IN ('queued', 'running')`;

/**
 * GPU spans (gpu_started_at + gpu_ms; a running attempt's up to the window's end) cut to the
 * window. Reads job_attempts_ended: attempts that ended inside the window, or still run.
 */
const BUSY_BY_BACKEND = `
  SELECT backend, coalesce(sum(greatest(0, extract(epoch FROM least(span_end, $2::timestamptz) - greatest(gpu_started_at, $1::timestamptz)) * 1000)), 0)::bigint AS busy_ms
  FROM (
    SELECT backend, gpu_started_at,
      CASE WHEN ended_at IS NULL THEN $2::timestamptz ELSE gpu_started_at + gpu_ms * interval '1 millisecond' END AS span_end
    FROM job_attempts
    WHERE gpu_started_at IS NOT NULL AND gpu_started_at < $2 AND (ended_at >= $1 OR ended_at IS NULL)
  ) spans
  GROUP BY backend ORDER BY backend`;

/** Completed and failed jobs by the bucket they finished in (cancelled ones did no finished work). Reads jobs_finished. */
const FINISHED_BY_BUCKET = `
  SELECT (floor(extract(epoch FROM finished_at) * 1000 / $3::bigint) * $3::bigint)::bigint AS start,
    count(*)::int AS finished,
    count(*) FILTER (WHERE status = 'failed')::int AS failed,
    avg(extract(epoch FROM started_at - created_at) * 1000) AS wait_avg,
    max(extract(epoch FROM started_at - created_at) * 1000) AS wait_max,
    count(*) FILTER (WHERE status = 'completed' AND quality_retried)::int AS quality_retried,
    count(*) FILTER (WHERE status = 'completed' AND quality_problems IS NOT NULL)::int AS quality_failed
  FROM jobs
  WHERE finished_at >= $1 AND finished_at < $2 AND status IN ('completed', 'failed')
  GROUP BY 1 ORDER BY 1`;

/** Reads job_attempts_space_day (space_id, ended_at, gpu_ms). */
const TOP_USERS = `
  SELECT coalesce(nullif(u.display_name, ''), u.external_id) AS name, t.gpu_ms, t.attempts
  FROM (
    SELECT user_id, sum(gpu_ms)::bigint AS gpu_ms, count(*)::int AS attempts
    FROM job_attempts WHERE space_id = $1 AND ended_at >= $2
    GROUP BY user_id HAVING sum(gpu_ms) > 0
    ORDER BY 2 DESC, user_id LIMIT $3
  ) t JOIN users u ON u.id = t.user_id
  ORDER BY t.gpu_ms DESC, name`;

/**
 * Whole-history totals: attempt rows are never deleted (jobs are not), so they only grow, as
 * counters must. A scan of job_attempts per scrape: linear in attempts ever made.
 */
const BACKEND_TOTALS = `
  SELECT backend, outcome, count(*)::int AS attempts, sum(gpu_ms)::bigint AS gpu_ms
  FROM job_attempts WHERE ended_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`;

const toMs = (value: string | number | null): number | null => (value === null ? null : Math.round(Number(value)));

/** The farm dashboard's reads: the queue, GPU spans, finished work per bucket, top users. */
export class PostgresFarmRecords implements FarmRecords {
  constructor(private readonly db: Database) {}

  async queueNow(): Promise<QueueNow> {
    const result = await this.db.$client.query<{ queued: number; running: number; oldest: Date | null }>({ name: 'ap_farm_queue', text: QUEUE_NOW });
    const row = result.rows[0];
    return { queued: row?.queued ?? 0, running: row?.running ?? 0, oldestQueuedAt: row?.oldest ?? null };
  }

  async busyByBackend(from: Date, until: Date): Promise<BackendBusy[]> {
    const result = await this.db.$client.query<{ backend: string; busy_ms: string }>({ name: 'ap_farm_busy', text: BUSY_BY_BACKEND, values: [from, until] });
    return result.rows.map((r) => ({ backend: r.backend, busyMs: Number(r.busy_ms) }));
  }

  async finishedByBucket(from: Date, until: Date, bucketMs: number): Promise<FinishedBucket[]> {
    const result = await this.db.$client.query<{ start: string; finished: number; failed: number; wait_avg: string | null; wait_max: string | null; quality_retried: number; quality_failed: number }>({
      name: 'ap_farm_finished',
      text: FINISHED_BY_BUCKET,
      values: [from, until, bucketMs],
    });
    return result.rows.map((r) => ({ start: Number(r.start), finished: r.finished, failed: r.failed, waitAvgMs: toMs(r.wait_avg), waitMaxMs: toMs(r.wait_max), qualityRetried: r.quality_retried, qualityFailed: r.quality_failed }));
  }

  async topUsers(spaceId: string, from: Date, limit: number): Promise<UserGpu[]> {
    const result = await this.db.$client.query<{ name: string; gpu_ms: string; attempts: number }>({ name: 'ap_farm_top_users', text: TOP_USERS, values: [spaceId, from, limit] });
    return result.rows.map((r) => ({ user: r.name, gpuMs: Number(r.gpu_ms), attempts: r.attempts }));
  }

  async backendTotals(): Promise<BackendTotal[]> {
    const result = await this.db.$client.query<{ backend: string; outcome: string; attempts: number; gpu_ms: string }>({ name: 'ap_farm_totals', text: BACKEND_TOTALS });
    return result.rows.map((r) => ({ backend: r.backend, outcome: r.outcome, attempts: r.attempts, gpuMs: Number(r.gpu_ms) }));
  }
}
