/**
 * Start-up connection failures, told in one line an operator can act on: which service, where
 * (host and port only, never credentials), what went wrong and which variable to check.
 */
export class ServiceUnreachableError extends Error {
  override readonly name = 'ServiceUnreachableError';
  constructor(service: string, url: string, reason: string, variable: string, options?: ErrorOptions) {
    super(`${service} at ${serviceAddress(url)} ${reason} (check ${variable} and that ${service} is running)`, options);
  }
}

/** host:port of a service URL; the user, password, path and query stay out of messages. */
export function serviceAddress(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || { 'redis:': '6379', 'rediss:': '6379', 'postgres:': '5432', 'postgresql:': '5432' }[parsed.protocol] || '';
    return port ? `${parsed.hostname}:${port}` : parsed.hostname;
  } catch {
    return 'the configured address';
  }
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'is unreachable: connection refused',
  ENOTFOUND: 'is unreachable: host not found',
  EAI_AGAIN: 'is unreachable: host not found',
  ETIMEDOUT: 'is unreachable: connection timed out',
  EHOSTUNREACH: 'is unreachable: no route to host',
  ENETUNREACH: 'is unreachable: network unreachable',
  ECONNRESET: 'closed the connection',
  EPIPE: 'closed the connection',
};

/**
 * Why a connection attempt failed, when it is a reachability or login problem; undefined for any
 * other error (those keep their own message). Node reports a host with several addresses
 * (localhost: ::1 and 127.0.0.1) as an AggregateError with an empty message, so look inside.
 */
export function connectionProblem(error: unknown): string | undefined {
  // drizzle wraps a driver error (its message names the SQL): the driver's own is the cause.
  if (error instanceof Error && error.cause !== undefined) {
    const reason = connectionProblem(error.cause);
    if (reason) return reason;
  }
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const reason = connectionProblem(inner);
      if (reason) return reason;
    }
  }
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  // PostgreSQL: invalid password / authorization; Redis: AUTH replies.
  if (code === '28P01' || code === '28000' || /^(WRONGPASS|NOAUTH|NOPERM)\b/.test(error.message)) return 'refused the login';
  // pg's own words for a connect timeout or a server that hung up during the handshake.
  if (/timeout expired|connection timeout/i.test(error.message)) return NETWORK_REASONS.ETIMEDOUT;
  if (/Connection terminated unexpectedly/i.test(error.message)) return NETWORK_REASONS.ECONNRESET;
  return undefined;
}

/** The SQLSTATE (or errno code) of an error or of the driver error drizzle wrapped in it. */
export function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
