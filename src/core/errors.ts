/**
 * Coded errors that steer a job's fate in the worker (BullMQ idiom: the error class decides).
 * - 'never': bad input or refused content; retrying cannot help.
 * - 'backoff': a transient failure (backend unreachable); retry with exponential backoff.
 * - 'rate_limit': the backend is busy; back off without counting it as a failure of the job.
 */
export type RetryPolicy = 'never' | 'backoff' | 'rate_limit';

export class GenerationError extends Error {
  override readonly name = 'GenerationError';
  constructor(
    /** Machine code, e.g. 'backend_rejected', 'backend_unreachable', 'execution_failed'. */
    readonly code: string,
    /** Words safe to show a user: no paths, no stack, no secrets. */
    readonly userMessage: string,
    readonly retry: RetryPolicy,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(`${code}: ${userMessage}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/** Thrown when the job was cancelled while running; not a failure. */
export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
  constructor() {
    super('job cancelled');
  }
}
