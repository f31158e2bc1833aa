/**
 * Typed results from the core. Adapters turn a failure code into words (each has one table per
 * code). Where a failure names something only the core knows (the field and rule at fault, the
 * project not found) it says so in `message`, a short English phrase the web API echoes; refusals
 * whose words follow from the code and the reason carry no message at all.
 */
export const FAILURE_CODES = [
  'invalid_input',
  'forbidden',
  'not_found',
  'rate_limited',
  'too_many_pending',
  'queue_full',
  /** The user's GPU minutes for today (UTC) are spent; details: usedSeconds, limitSeconds, resetsAt. */
  'gpu_quota_exceeded',
  'content_refused',
  'conflict',
  'unavailable',
  'internal',
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

export interface Failure {
  ok: false;
  code: FailureCode;
  /** What only the core can name (a field's rule, a missing project); absent on plain refusals. */
  message?: string;
  /** The request field at fault, for invalid_input. */
  field?: string;
  /** When the caller may try again (rate_limited, too_many_pending, queue_full). */
  retryAfterMs?: number;
  /** Which rule refused it (e.g. 'rate', 'pending', 'blocklist', 'minors', 'nsfw'). */
  reason?: string;
  /** Reference id that is also in the logs, for internal failures. */
  ref?: string;
  /** Facts the adapters' words need (gpu_quota_exceeded: usedSeconds, limitSeconds, resetsAt as ISO time). */
  details?: Record<string, string | number>;
}

export interface Success<T> {
  ok: true;
  value: T;
}

export type Outcome<T> = Success<T> | Failure;

export function ok<T>(value: T): Success<T> {
  return { ok: true, value };
}

export function fail(code: FailureCode, message: string, extra: Omit<Failure, 'ok' | 'code' | 'message'> = {}): Failure {
  return { ok: false, code, message, ...extra };
}

/** A refusal whose words follow from its code and reason (content, limits, role): no message. */
export function refuse(code: FailureCode, extra: Omit<Failure, 'ok' | 'code' | 'message'> = {}): Failure {
  return { ok: false, code, ...extra };
}
