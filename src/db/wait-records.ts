import type { MeasuredDuration } from '../core/wait/durations.js';
import type { QueuedWork, RunningWork } from '../core/wait/estimate.js';
import type { Database } from './client.js';

/** Attempts looked at per (kind, model): recent enough to follow a new GPU or driver, many enough for a steady median. */
const RECENT_ATTEMPTS = 50;

/**
 * The median wall time (claim to end: what a backend is kept busy) per step of one output, over the
 * last completed attempts of each kind and model from the past week.
 */
const MEASURED = `
  SELECT kind, model, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms_per_unit) AS ms_per_unit, count(*)::int AS samples
  FROM (
    SELECT j.kind, j.model,
      extract(epoch FROM a.ended_at - a.started_at) * 1000 / (greatest(j.steps, 1) * greatest(j.count, 1)) AS ms_per_unit,
      row_number() OVER (PARTITION BY j.kind, j.model ORDER BY a.ended_at DESC) AS recent
    FROM job_attempts a JOIN jobs j ON j.id = a.job_id
    WHERE a.outcome = 'completed' AND a.ended_at > now() - interval '7 days'
  ) t
  WHERE recent <= $1
  GROUP BY kind, model`;

/**
 * Running jobs, with when their current attempt began (a retry starts its clock again), and whether
 * each is only let in ahead of its box (stage 'ready': it waits for the job there).
 */
const RUNNING = `
  SELECT j.id, j.kind, j.model, j.steps, j.count, j.backend, j.stage = 'ready' AS ready, coalesce(a.started_at, j.updated_at) AS started_at
  FROM jobs j
  LEFT JOIN LATERAL (SELECT started_at FROM job_attempts WHERE job_id = j.id AND ended_at IS NULL ORDER BY started_at DESC LIMIT 1) a ON true
  WHERE j.status = 'running'`;

/** The head of the line in the queue's own order (fair priority, then age), as queuePosition counts places. */
const QUEUED = `
  SELECT id, kind, model, steps, count FROM jobs
  WHERE status = 'queued' AND reused_from IS NULL
  ORDER BY priority, created_at
  LIMIT $1`;

/** What the wait estimate reads from the system of record. */
export class WaitRecords {
  constructor(private readonly db: Database) {}

  async measured(): Promise<MeasuredDuration[]> {
    const result = await this.db.$client.query<{ kind: string; model: string; ms_per_unit: number; samples: number }>({ name: 'ap_wait_measured', text: MEASURED, values: [RECENT_ATTEMPTS] });
    return result.rows.map((r) => ({ kind: r.kind, model: r.model, msPerUnit: Number(r.ms_per_unit), samples: r.samples }));
  }

  async running(): Promise<RunningWork[]> {
    const result = await this.db.$client.query<{ id: string; kind: string; model: string; steps: number; count: number; backend: string | null; ready: boolean; started_at: Date }>({ name: 'ap_wait_running', text: RUNNING });
    return result.rows.map((r) => ({ jobId: r.id, kind: r.kind, model: r.model, steps: r.steps, count: r.count, startedAt: r.started_at.getTime(), ...(r.backend ? { backend: r.backend } : {}), ...(r.ready ? { ready: true } : {}) }));
  }

  /** The first `limit` queued jobs, in line order (not those waiting on a twin's render: they take no backend). */
  async queued(limit: number): Promise<QueuedWork[]> {
    const result = await this.db.$client.query<{ id: string; kind: string; model: string; steps: number; count: number }>({ name: 'ap_wait_queued', text: QUEUED, values: [limit] });
    return result.rows.map((r) => ({ jobId: r.id, kind: r.kind, model: r.model, steps: r.steps, count: r.count }));
  }
}
