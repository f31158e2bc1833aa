import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

/** How often a process says it is alive; the mark lives three beats, so one slow beat is forgiven. */
export const HEARTBEAT_INTERVAL_MS = 10_000;

/**
 * One key per process: host (a container's own hostname) and the parts it runs, so the health
 * check run inside the same container (`src/cli/healthcheck.ts <parts>`) finds its own process.
 */
export function heartbeatKey(prefix: string, parts: readonly string[], host = hostname()): string {
  return `${prefix}:heartbeat:${host}:${[...parts].sort().join('+')}`;
}

/**
 * Marks the process alive in Redis while its parts say they are healthy. The mark proves more than
 * a running event loop: it is written only when Redis (which every part needs) answers.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly isHealthy: () => boolean,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /** Removes the mark: a stopping process is no longer healthy. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.redis.del(this.key).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (!this.isHealthy()) return;
    // A failed write lets the mark expire: Redis unreachable means the process cannot do its work.
    await this.redis.set(this.key, new Date().toISOString(), 'PX', this.intervalMs * 3).catch(() => undefined);
  }
}

/** True when the process behind the key beat recently. */
export async function isAlive(redis: Redis, key: string): Promise<boolean> {
  return (await redis.exists(key)) === 1;
}
