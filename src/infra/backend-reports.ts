import type { Redis } from 'ioredis';
import { reportKey, type BackendReport } from '../core/backend-report.js';

/**
 * The workers' latest backend checks, in one Redis hash (`<prefix>:backends`, field = worker),
 * so the web process (which may run elsewhere) can read them for /readyz and the model list. A
 * report past its freshUntil is a worker that stopped reporting: it is dropped when read.
 */
export class BackendReports {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:backends`;
  }

  async publish(report: BackendReport): Promise<void> {
    await this.redis.hset(this.key, reportKey(report), JSON.stringify(report));
  }

  /** By reportKey. */
  async remove(key: string): Promise<void> {
    await this.redis.hdel(this.key, key);
  }

  async fresh(now = Date.now()): Promise<BackendReport[]> {
    const all = await this.redis.hgetall(this.key);
    const reports: BackendReport[] = [];
    const stale: string[] = [];
    for (const [worker, text] of Object.entries(all)) {
      const report = parse(text);
      if (report && report.freshUntil > now) reports.push(report);
      else stale.push(worker);
    }
    if (stale.length > 0) await this.redis.hdel(this.key, ...stale);
    return reports.sort((a, b) => a.worker.localeCompare(b.worker));
  }
}

function parse(text: string): BackendReport | undefined {
  try {
    const value = JSON.parse(text) as Partial<BackendReport> | null;
    return value && typeof value.worker === 'string' && typeof value.freshUntil === 'number' && Array.isArray(value.models) ? (value as BackendReport) : undefined;
  } catch {
    return undefined;
  }
}
