import type { FastifyReply } from 'fastify';
import type { Failure, FailureCode } from '../core/outcome.js';

const STATUS: Record<FailureCode, number> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  too_many_pending: 429,
  queue_full: 503,
  content_refused: 422,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; reason?: string; retry_after_ms?: number; ref?: string };
}

export function errorBody(code: string, message: string, extra: Partial<ErrorBody['error']> = {}): ErrorBody {
  return { error: { code, message, ...extra } };
}

/** The web's words for a core failure: the core's short message, the field, and when to retry. */
export function sendFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  if (failure.retryAfterMs !== undefined) reply.header('Retry-After', Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  const extra: Partial<ErrorBody['error']> = {};
  if (failure.field) extra.field = failure.field;
  if (failure.reason) extra.reason = failure.reason;
  if (failure.retryAfterMs !== undefined) extra.retry_after_ms = failure.retryAfterMs;
  if (failure.ref) extra.ref = failure.ref;
  return reply.code(STATUS[failure.code]).send(errorBody(failure.code, failure.message, extra));
}
