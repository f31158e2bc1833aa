import type { Redis } from 'ioredis';

/**
 * Counts failed authentications per client address in Redis, so a guessing client is stopped
 * across every web process. A fixed window is enough here: the point is to make guessing slow.
 * Only failures are counted and only failures are refused: a valid token is never blocked, so one
 * noisy client behind the same address cannot lock out everyone else.
 */
export class AuthFailureLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxFailures = 20,
    private readonly windowMs = 10 * 60_000,
  ) {}

  private key(address: string): string {
    return `${this.prefix}:authfail:${address}`;
  }

  /**
   * Counts one failure; answers the milliseconds until the address may try again once it is past
   * the limit, or 0 while it is still within it. One round trip.
   */
  async recordFailure(address: string): Promise<number> {
    const key = this.key(address);
    // NX: the window starts at the first failure and is not extended by later ones.
    const replies = await this.redis.multi().incr(key).pexpire(key, this.windowMs, 'NX').pttl(key).exec();
    const count = Number(replies?.[0]?.[1] ?? 0);
    const ttl = Number(replies?.[2]?.[1] ?? this.windowMs);
    return count > this.maxFailures ? Math.max(1, ttl) : 0;
  }
}
