import type { FastifyReply } from 'fastify';
import { describeProblem, type FailureReasonWords } from '../core/failure-reasons.js';
import type { Failure, FailureCode } from '../core/outcome.js';
import { failureSentences } from '../infra/failure-sentences.js';
import { formatGpuTime } from '../core/usage/gpu-quota.js';

const STATUS: Record<FailureCode, number> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  too_many_pending: 429,
  gpu_quota_exceeded: 429,
  queue_full: 503,
  content_refused: 422,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; reason?: string; retry_after_ms?: number; ref?: string; details?: Record<string, string | number> };
}

export function errorBody(code: string, message: string, extra: Partial<ErrorBody['error']> = {}): ErrorBody {
  return { error: { code, message, ...extra } };
}

/** Why a prompt was refused, by the rule that refused it (the chat adapters name the same reasons). */
const CONTENT: Record<string, string> = {
  nsfw: 'this prompt asks for adult content, which is not allowed here',
  blocklist: 'this prompt contains a word or phrase this space has blocked',
  pattern: 'this prompt matches a pattern this space has blocked',
  minors: 'this prompt is refused: sexual content involving minors is never allowed',
};

/** A role refusal, by what was refused. */
const FORBIDDEN: Record<string, string> = {
  role: 'your role may not generate images here',
  farm_role: 'the farm dashboard is for moderators and admins',
};

/** The specifics of a core failure, one phrase per reason (JSON carries user-typed values as they are). */
export const FAILURE_REASON_WORDS: FailureReasonWords = failureSentences();

function specifics(failure: Failure): string | undefined {
  return failure.problem && describeProblem(FAILURE_REASON_WORDS, failure.problem);
}

/**
 * The API's `message` per core failure code. Where the core names what is at fault (a field's
 * rule, a missing project) the phrase for its problem is the message; refusals get the web's own words.
 */
export const FAILURE_WORDS: Record<FailureCode, (failure: Failure) => string> = {
  invalid_input: (f) => specifics(f) ?? 'the request is not valid',
  forbidden: (f) => specifics(f) ?? FORBIDDEN[f.reason ?? ''] ?? 'you may not do that',
  not_found: (f) => specifics(f) ?? 'not found',
  rate_limited: () => 'you are generating too fast',
  too_many_pending: () => 'you already have the most jobs waiting that you may have',
  queue_full: () => 'the service is busy, try again shortly',
  gpu_quota_exceeded: (f) => {
    const d = f.details ?? {};
    return `today's GPU time is used up (${formatGpuTime(Number(d.usedSeconds ?? 0))} of ${formatGpuTime(Number(d.limitSeconds ?? 0))}, nothing left); it resets at 00:00 UTC (${String(d.resetsAt ?? 'midnight')})`;
  },
  content_refused: (f) => CONTENT[f.reason ?? ''] ?? 'this prompt is not allowed here',
  conflict: (f) => specifics(f) ?? 'that cannot be done now',
  unavailable: (f) => specifics(f) ?? 'the service is unavailable right now; try again shortly',
  internal: (f) => specifics(f) ?? 'something went wrong on our side',
};

/**
 * A failure with its field named as a web route calls it (`names`: core field -> web field, e.g.
 * kind -> type): the top-level field and the problem's, so the message says the web's name.
 */
export function inWebTerms(failure: Failure, names: Readonly<Record<string, string>>): Failure {
  const rename = (field: string): string => {
    const [head = '', ...rest] = field.split('.');
    return Object.hasOwn(names, head) ? [names[head], ...rest].join('.') : field;
  };
  const renamed: Failure = { ...failure };
  if (failure.field !== undefined) renamed.field = rename(failure.field);
  if (failure.problem && 'field' in failure.problem && typeof failure.problem.field === 'string') renamed.problem = { ...failure.problem, field: rename(failure.problem.field) };
  return renamed;
}

/** The web's words for a core failure: its message, the field, and when to retry. */
export function sendFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  if (failure.retryAfterMs !== undefined) reply.header('Retry-After', Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  const extra: Partial<ErrorBody['error']> = {};
  if (failure.field) extra.field = failure.field;
  if (failure.reason) extra.reason = failure.reason;
  if (failure.retryAfterMs !== undefined) extra.retry_after_ms = failure.retryAfterMs;
  if (failure.ref) extra.ref = failure.ref;
  if (failure.details) extra.details = failure.details;
  return reply.code(STATUS[failure.code]).send(errorBody(failure.code, FAILURE_WORDS[failure.code](failure), extra));
}

/** Fastify's own errors (parsing, routing, limits) in the app's words: never the URL, the body or Fastify's text. */
export function frameworkError(error: { statusCode?: unknown; code?: unknown }): { status: number; body: ErrorBody } | null {
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: errorBody('body_too_large', 'the request body is too large') };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: errorBody('unsupported_media_type', 'send the body as application/json') };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: errorBody('invalid_request', 'the body is not valid JSON') };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: errorBody('invalid_request', 'the Content-Length does not match the body') };
    case 'FST_ERR_BAD_URL':
      return { status: 400, body: errorBody('invalid_request', 'the address is not valid') };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 414, body: errorBody('uri_too_long', 'the address is too long') };
  }
  if (status === 413) return { status, body: errorBody('body_too_large', 'the request body is too large') };
  if (status === 415) return { status, body: errorBody('unsupported_media_type', 'send the body as application/json') };
  if (status === 404) return { status, body: errorBody('not_found', 'no such route') };
  if (status >= 400 && status < 500) return { status: 400, body: errorBody('invalid_request', 'the request is not valid') };
  return null;
}

/** A raw HTTP answer for errors before Fastify has a request (malformed HTTP, oversized headers). */
export function clientErrorResponse(code: string | undefined): string {
  const [status, reason, body] =
    code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', errorBody('timeout', 'the request took too long to arrive')]
      : code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', errorBody('headers_too_large', 'the request headers are too large')]
        : [400, 'Bad Request', errorBody('invalid_request', 'the request is not valid HTTP')];
  const json = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${json}`;
}
