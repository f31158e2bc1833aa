import type { Redis } from 'ioredis';

/**
 * Counts failed authentications per client address in Redis, so a guessing client is stopped
 * across every web process. A fixed window is enough here: the point is to make guessing slow.
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

  /** Milliseconds until the address may try again, or 0 when it may try now. */
  async blockedFor(address: string): Promise<number> {
    const [count, ttl] = await this.redis.multi().get(this.key(address)).pttl(this.key(address)).exec().then((r) => [r?.[0]?.[1], r?.[1]?.[1]]);
    return Number(count ?? 0) >= this.maxFailures ? Math.max(1, Number(ttl ?? this.windowMs)) : 0;
  }

  async recordFailure(address: string): Promise<void> {
    const key = this.key(address);
    // NX: the window starts at the first failure and is not extended by later ones.
    await this.redis.multi().incr(key).pexpire(key, this.windowMs, 'NX').exec();
  }
}
