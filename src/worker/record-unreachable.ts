/**
 * Whether an error means Postgres could not be reached (refused, reset, timed out, shutting down),
 * as opposed to a statement that Postgres answered with an error. Only the first kind is worth
 * waiting out: the job itself is fine, its record is just out of reach for now.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** Postgres SQLSTATEs: class 08 (connection exception) and the server shutting down or starting. */
const SERVER_GONE_CODES = new Set(['57P01', '57P02', '57P03']);
/** node-postgres reports a dropped or refused connection by message only. */
const PG_CONNECTION_MESSAGE = /connection terminated|connection error|timeout exceeded when trying to connect|not queryable/i;

export function isRecordUnreachable(error: unknown): boolean {
  // Drizzle wraps the driver's error; walk a few causes down.
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_GONE_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && PG_CONNECTION_MESSAGE.test(message)) return true;
    current = cause;
  }
  return false;
}
