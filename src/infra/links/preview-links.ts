import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../tokens.js';

/** A preview is news for the minutes a job renders: its link dies soon after. */
const DEFAULT_TTL_SECONDS = 15 * 60;
/** Expiry rounded up to this, so one preview renders to one URL for a while (the drivers skip identical edits). */
const ROUND_SECONDS = 5 * 60;

/**
 * Signed short-lived links to a job's live preview (`/media/preview/<job>/<seq>`): like media links
 * (an <img>, Slack's image fetcher and Discord cannot send a bearer token) but with their own key,
 * so a preview link can never be turned into a media link, and minutes instead of days.
 */
export class PreviewLinks {
  private readonly key: Buffer;

  constructor(
    appSecret: string,
    private readonly publicUrl: string,
    private readonly ttlSeconds = DEFAULT_TTL_SECONDS,
  ) {
    this.key = Buffer.from(deriveKey(appSecret, 'preview-link'));
  }

  url(jobId: string, seq: number, now = Date.now()): string {
    const expires = Math.ceil((now / 1000 + this.ttlSeconds) / ROUND_SECONDS) * ROUND_SECONDS;
    return `${this.publicUrl}/media/preview/${jobId}/${seq}?exp=${expires}&sig=${this.sign(jobId, seq, expires)}`;
  }

  verify(jobId: string, seq: number, exp: string | undefined, sig: string | undefined, now = Date.now()): boolean {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return false;
    const expires = Number(exp);
    if (expires * 1000 < now) return false;
    const expected = Buffer.from(this.sign(jobId, seq, expires));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(jobId: string, seq: number, expires: number): string {
    return createHmac('sha256', this.key).update(`${jobId}.${seq}.${expires}`).digest('base64url');
  }
}
