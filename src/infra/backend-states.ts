import type { Redis } from 'ioredis';
import type { BackendStatus } from '../core/farm-state.js';

/**
 * The farm's live backend states, one Redis hash (`<prefix>:farm:backends`, field = backend name),
 * written by the worker serving each backend and read by the web (dashboard, /api/admin/farm,
 * metrics), which may run on another host. A status past its freshUntil is dropped when read: its
 * worker is gone, and the backend is not served by anyone.
 */
export class BackendStates {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:farm:backends`;
  }

  async put(status: BackendStatus): Promise<void> {
    await this.redis.hset(this.key, status.name, JSON.stringify(status));
  }

  async remove(name: string): Promise<void> {
    await this.redis.hdel(this.key, name);
  }

  /** Every fresh status, by name. */
  async all(now = Date.now()): Promise<BackendStatus[]> {
    const raw = await this.redis.hgetall(this.key);
    const fresh: BackendStatus[] = [];
    const stale: string[] = [];
    for (const [name, text] of Object.entries(raw)) {
      const status = parseStatus(text);
      if (status && status.freshUntil > now) fresh.push(status);
      else stale.push(name);
    }
    if (stale.length > 0) await this.redis.hdel(this.key, ...stale);
    return fresh.sort((a, b) => a.name.localeCompare(b.name));
  }
}

function parseStatus(text: string): BackendStatus | undefined {
  try {
    const value = JSON.parse(text) as Partial<BackendStatus> | null;
    if (!value || typeof value.name !== 'string' || typeof value.state !== 'string' || typeof value.freshUntil !== 'number') return undefined;
    return value as BackendStatus;
  } catch {
    return undefined;
  }
}
