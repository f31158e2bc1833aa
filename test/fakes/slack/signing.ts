/** Slack request signing (v0): hex HMAC-SHA256 over `v0:<seconds>:<raw body>`. */
import { createHmac } from 'node:crypto';

export function slackSignature(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

export interface SignOptions {
  /** Sign with a wrong secret: the app must answer 401. */
  forgeSignature?: boolean;
  /** Timestamp 6 minutes old (Bolt refuses anything older than 5): the app must answer 401. */
  staleTimestamp?: boolean;
  /** Explicit timestamp in seconds (overrides staleTimestamp). */
  timestampSec?: number;
  /** Extra headers, e.g. X-Slack-Retry-Num for redelivery tests. */
  headers?: Record<string, string>;
}

export function signingHeaders(signingSecret: string, rawBody: string, options: SignOptions = {}, nowMs = Date.now()): Record<string, string> {
  const now = Math.floor(nowMs / 1000);
  const timestamp = options.timestampSec ?? (options.staleTimestamp ? now - 6 * 60 : now);
  const secret = options.forgeSignature ? `${signingSecret}-forged` : signingSecret;
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, rawBody),
    ...options.headers,
  };
}
