import type { JobFailureCode, JobFailureDetails } from './job-failures.js';

/**
 * Coded errors that steer a job's fate in the worker (BullMQ idiom: the error class decides).
 * - 'never': bad input or refused content; retrying cannot help.
 * - 'backoff': a transient failure (backend unreachable); retry with exponential backoff.
 * - 'rate_limit': the backend is busy; back off without counting it as a failure of the job.
 */
export type RetryPolicy = 'never' | 'backoff' | 'rate_limit';

export interface GenerationErrorOptions {
  cause?: unknown;
  retryAfterMs?: number;
  /**
   * The backend's own account (an exception's type and message, a validation summary), for the log
   * and the admins' view of the job; one line, no paths. Never shown in a chat reply.
   */
  adminText?: string;
}

/** A job failure: a code from the closed set and its details. The adapters write the words. */
export class GenerationError<C extends JobFailureCode = JobFailureCode> extends Error {
  override readonly name = 'GenerationError';
  readonly retryAfterMs: number | undefined;
  readonly adminText: string | undefined;
  constructor(
    readonly code: C,
    readonly details: JobFailureDetails[C],
    readonly retry: RetryPolicy,
    options: GenerationErrorOptions = {},
  ) {
    // The Error message is for logs and stack traces only.
    super(options.adminText ? `${code}: ${options.adminText}` : code, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.adminText = options.adminText;
  }
}

/** Thrown when the job was cancelled while running; not a failure. */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
  constructor() {
    super('job cancelled');
  }
}
