/**
 * Tells an outage of a backing service (Postgres, Redis, the network to them) from a bug, so the
 * web answers 503 "try again shortly" for the first and a 500 with a reference for the second.
 * Errors are matched by code and by the fixed messages pg and ioredis use for lost connections;
 * drizzle wraps the driver's error as `cause`, and Node reports a multi-address connect as an
 * AggregateError, so both chains are walked.
 */
export type OutageSource = 'postgres' | 'redis' | 'network';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** SQLSTATEs for a server that is not there for us right now (class 08, shutdown, too many connections). */
function isPostgresUnavailableState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

const POSTGRES_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /not queryable/, /^Cannot use a pool after calling end/];
const REDIS_MESSAGES = [/^Command timed out/, /^Stream isn't writeable/, /^Connection is closed/, /^Reached the max retries per request limit/];

export function outageSource(error: unknown, depth = 0): OutageSource | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const { name, message, code, cause, errors } = error as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown; errors?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (name === 'MaxRetriesPerRequestError' || name === 'EventsUnavailableError' || REDIS_MESSAGES.some((pattern) => pattern.test(text))) return 'redis';
  if (typeof code === 'string' && isPostgresUnavailableState(code)) return 'postgres';
  if (POSTGRES_MESSAGES.some((pattern) => pattern.test(text))) return 'postgres';
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'network';
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const source = outageSource(inner, depth + 1);
    if (source) return source;
  }
  return undefined;
}
