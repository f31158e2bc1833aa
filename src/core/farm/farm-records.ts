import type { BackendStatus } from '../farm-state.js';

/**
 * What the dashboard reads from the records (src/db/farm-records.ts). Times are Dates, durations
 * ms; the core does the windows, the bucket filling and the shares.
 */
export interface QueueNow {
  queued: number;
  running: number;
  /** created_at of the job that has waited longest; null with nothing queued. */
  oldestQueuedAt: Date | null;
}

export interface BackendBusy {
  backend: string;
  /** GPU time inside the window (attempts cut at its edges; a running one counts up to its end). */
  busyMs: number;
}

export interface FinishedBucket {
  /** ms since 1970 at the bucket's start (a multiple of the bucket length). */
  start: number;
  finished: number;
  failed: number;
  /** Over the jobs finished in the bucket: their wait from created to started. */
  waitAvgMs: number | null;
  waitMaxMs: number | null;
  /** Completed jobs whose first render failed the quality check and was rendered again. */
  qualityRetried: number;
  /** Completed jobs posted with a quality note (the second render failed the check too). */
  qualityFailed: number;
}

export interface UserGpu {
  /** The member's display name, else their platform id. */
  user: string;
  gpuMs: number;
  attempts: number;
}

/** Every ended attempt so far, per backend and outcome (the metrics' counters). */
export interface BackendTotal {
  backend: string;
  outcome: string;
  attempts: number;
  gpuMs: number;
}

export interface FarmRecords {
  queueNow(): Promise<QueueNow>;
  busyByBackend(from: Date, until: Date): Promise<BackendBusy[]>;
  /** Only buckets holding a finished job; empty ones are filled by the caller. */
  finishedByBucket(from: Date, until: Date, bucketMs: number): Promise<FinishedBucket[]>;
  /** Members of one space with the most GPU time in attempts ended since `from`, most first. */
  topUsers(spaceId: string, from: Date, limit: number): Promise<UserGpu[]>;
  backendTotals(): Promise<BackendTotal[]>;
}

/** The live backend states (src/infra/backend-states.ts). */
export interface LiveBackendStates {
  all(now?: number): Promise<BackendStatus[]>;
}
