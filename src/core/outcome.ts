import { REASON_CODES, type FailureProblem } from './failure-reasons.js';

/**
 * Typed results from the core: codes and facts, never prose. Adapters turn a failure into words
 * (each has one table per code and one per reason). A failure that names something only the core
 * knows (the field and rule at fault, the project not found) carries it as a `problem`: a reason
 * from src/core/failure-reasons.ts with its details. Refusals by rule (role, content, limits)
 * carry a `reason` instead, and their words follow from the code.
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
  /** What only the core can name (a field's rule, a missing project); absent on refusals. */
  problem?: FailureProblem;
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

type FailureExtra = Omit<Failure, 'ok' | 'code' | 'problem'>;

/**
 * A failure for `problem` (its code follows from the reason). A problem that names a field is
 * the failure's field too, unless `extra` names the request field otherwise.
 */
export function fail(problem: FailureProblem, extra: FailureExtra = {}): Failure {
  const field = 'field' in problem && typeof problem.field === 'string' ? { field: problem.field } : {};
  return { ok: false, code: REASON_CODES[problem.reason], ...field, ...extra, problem };
}

/** A refusal whose words follow from its code and reason (content, limits, role): no problem. */
export function refuse(code: FailureCode, extra: FailureExtra = {}): Failure {
  return { ok: false, code, ...extra };
}
