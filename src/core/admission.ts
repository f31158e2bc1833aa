import type { UserLimits } from './policy/user-limits.js';

/** Per-request limits after space and role overrides are applied. */
export type EffectiveLimits = UserLimits;

export type AdmissionResult =
  /** pendingBefore: the user's jobs already queued or running, which sets the fair priority. */
  | { ok: true; pendingBefore: number }
  | { ok: false; limit: 'rate' | 'pending' | 'queue'; retryAfterMs: number };

/** Atomic admission across every process (implemented in Redis). */
export interface AdmissionControl {
  admit(request: { userKey: string; jobId: string; limits: EffectiveLimits }): Promise<AdmissionResult>;
  /** Frees the job's pending slot; idempotent. */
  release(userKey: string, jobId: string): Promise<void>;
}
