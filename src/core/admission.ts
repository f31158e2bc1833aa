/** Per-request limits after space and role overrides are applied. */
export interface EffectiveLimits {
  ratePerMinute: number;
  burst: number;
  maxPending: number;
  maxQueue: number;
}

export type AdmissionResult = { ok: true } | { ok: false; limit: 'rate' | 'pending' | 'queue'; retryAfterMs: number };

/** Atomic admission across every process (implemented in Redis). */
export interface AdmissionControl {
  admit(request: { userKey: string; jobId: string; limits: EffectiveLimits }): Promise<AdmissionResult>;
  /** Frees the job's pending slot; idempotent. */
  release(userKey: string, jobId: string): Promise<void>;
}
