import type { FastifyInstance } from 'fastify';
import type { QuotaStatus } from '../../core/usage/gpu-quota.js';
import type { UsageQuery, UsageReport, UsageService } from '../../core/usage/usage-service.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { errorBody, sendFailure } from '../http-errors.js';

export interface UsageApiDeps extends AuthDeps {
  usage: UsageService;
}

const FIELDS = new Set(['user', 'project', 'space', 'from', 'to']);
const seconds = (s: number) => Math.round(s * 1000) / 1000;

function quotaJson(quota: QuotaStatus) {
  return {
    used_seconds: seconds(quota.usedSeconds),
    limit_seconds: quota.limitSeconds,
    left_seconds: quota.leftSeconds === null ? null : seconds(quota.leftSeconds),
    resets_at: quota.resetsAt.toISOString(),
  };
}

function reportJson(report: UsageReport) {
  const { scope } = report;
  return {
    scope: scope.kind === 'user' ? { kind: 'user', ...(scope.user !== null ? { user: scope.user } : {}), self: scope.self } : scope,
    from: report.from,
    to: report.to,
    day_boundary: 'UTC',
    days: report.days.map((d) => ({
      day: d.day,
      gpu_seconds: seconds(d.gpuSeconds),
      attempts: d.attempts,
      backends: Object.fromEntries(Object.entries(d.backends).map(([name, s]) => [name, seconds(s)])),
    })),
    total_gpu_seconds: seconds(report.totalGpuSeconds),
    ...(report.quota ? { quota: quotaJson(report.quota) } : {}),
  };
}

/**
 * GET /api/usage: your own GPU time per UTC day (with today's quota); admins may ask for
 * ?user=<name>, ?project=<slug> or ?space=true. ?from=&to= (YYYY-MM-DD, inclusive, at most 92 days).
 */
export function registerUsageApi(app: FastifyInstance, deps: UsageApiDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/api/usage', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const query: UsageQuery = {};
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (!FIELDS.has(key)) return reply.code(400).send(errorBody('invalid_input', `unknown parameter ${JSON.stringify(key.slice(0, 40))}; use user, project, space, from, to`, { field: 'query' }));
      if (typeof value !== 'string' || value.length === 0 || value.length > 100) return reply.code(400).send(errorBody('invalid_input', `${key} must be given once, as 1 to 100 characters`, { field: key }));
      if (key === 'space') {
        if (value !== 'true') return reply.code(400).send(errorBody('invalid_input', 'space must be true', { field: 'space' }));
        query.space = true;
      } else query[key as 'user' | 'project' | 'from' | 'to'] = value;
    }
    const result = await deps.usage.report(auth.viewer, query);
    return result.ok ? reportJson(result.value) : sendFailure(reply, result);
  });
}
