import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../tokens.js';

/**
 * Media is served by asset id through short-lived signed links: an <img> cannot send a bearer
 * token, and a link pasted in chat should stop working after a while. Never a disk path.
 */
export class MediaLinks {
  private readonly key: Buffer;

  constructor(
    appSecret: string,
    private readonly publicUrl: string,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {
    this.key = Buffer.from(deriveKey(appSecret, 'media-link'));
  }

  url(assetId: string, now = Date.now()): string {
    // Round expiry to the hour so the same asset yields the same URL for a while (cache friendly).
    const expires = Math.ceil((now / 1000 + this.ttlSeconds) / 3600) * 3600;
    return `${this.publicUrl}/media/${assetId}?exp=${expires}&sig=${this.sign(assetId, expires)}`;
  }

  verify(assetId: string, exp: string | undefined, sig: string | undefined, now = Date.now()): boolean {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return false;
    const expires = Number(exp);
    if (expires * 1000 < now) return false;
    const expected = Buffer.from(this.sign(assetId, expires));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(assetId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${assetId}.${expires}`).digest('base64url');
  }
}
