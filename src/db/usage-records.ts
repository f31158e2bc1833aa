import type { UsageDayRow, UsageRecords, UsageScopeIds } from '../core/usage/usage-service.js';
import type { Database } from './client.js';

/** Each scope reads its own (id, ended_at, gpu_ms) index; the column name is ours, never input. */
const SCOPE_COLUMN: Record<UsageScopeIds['kind'], string> = { user: 'user_id', project: 'project_id', space: 'space_id' };

function scopeId(scope: UsageScopeIds): string {
  return scope.kind === 'user' ? scope.userId : scope.kind === 'project' ? scope.projectId : scope.spaceId;
}

/** GPU usage sums over job_attempts: only closed attempts count, each on the UTC day it ended. */
export class PostgresUsageRecords implements UsageRecords {
  constructor(private readonly db: Database) {}

  /** Every generate asks this (the quota check): one index range, summed without reading the table. */
  async gpuMsSince(userId: string, since: Date): Promise<number> {
    const result = await this.db.$client.query<{ ms: string }>({
      name: 'ap_usage_gpu_since',
      text: 'SELECT coalesce(sum(gpu_ms), 0)::bigint AS ms FROM job_attempts WHERE user_id = $1 AND ended_at >= $2',
      values: [userId, since],
    });
    return Number(result.rows[0]?.ms ?? 0);
  }

  async dailyUsage(scope: UsageScopeIds, from: Date, until: Date): Promise<UsageDayRow[]> {
    const column = SCOPE_COLUMN[scope.kind];
    const result = await this.db.$client.query<{ day: string; backend: string; gpu_ms: string; attempts: number }>({
      name: `ap_usage_daily_${scope.kind}`,
      text: `SELECT to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, backend, sum(gpu_ms)::bigint AS gpu_ms, count(*)::int AS attempts
        FROM job_attempts WHERE ${column} = $1 AND ended_at >= $2 AND ended_at < $3
        GROUP BY 1, 2 ORDER BY 1, 2`,
      values: [scopeId(scope), from, until],
    });
    return result.rows.map((r) => ({ day: r.day, backend: r.backend, gpuMs: Number(r.gpu_ms), attempts: r.attempts }));
  }

  async findUserId(spaceId: string, externalId: string): Promise<string | null> {
    const result = await this.db.$client.query<{ id: string }>({
      name: 'ap_usage_find_user',
      text: 'SELECT id FROM users WHERE space_id = $1 AND external_id = $2 ORDER BY created_at LIMIT 1',
      values: [spaceId, externalId],
    });
    return result.rows[0]?.id ?? null;
  }

  async findProjectId(spaceId: string, slug: string): Promise<string | null> {
    const result = await this.db.$client.query<{ id: string }>({
      name: 'ap_usage_find_project',
      text: 'SELECT id FROM projects WHERE space_id = $1 AND slug = $2',
      values: [spaceId, slug],
    });
    return result.rows[0]?.id ?? null;
  }
}
