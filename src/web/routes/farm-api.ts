import type { FastifyInstance } from 'fastify';
import { DAY_MS, type FarmDashboard, type FarmSeries, type FarmView } from '../../core/farm/farm-dashboard.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { sendFailure } from '../http-errors.js';

export interface FarmApiDeps extends AuthDeps {
  farm: FarmDashboard;
}

const seconds = (ms: number) => Math.round(ms) / 1000;
const iso = (ms: number) => new Date(ms).toISOString();

function seriesJson(series: FarmSeries) {
  return {
    bucket_seconds: series.bucketMs / 1000,
    buckets: series.buckets.map((b) => ({
      at: iso(b.start),
      finished: b.finished,
      failed: b.failed,
      wait_avg_seconds: b.waitAvgMs === null ? null : seconds(b.waitAvgMs),
      wait_max_seconds: b.waitMaxMs === null ? null : seconds(b.waitMaxMs),
      quality_rerendered: b.qualityRetried,
      quality_failed: b.qualityFailed,
    })),
  };
}

/** Over a series: jobs re-rendered by the quality check, and those posted with its note anyway. */
function qualityJson(series: FarmSeries) {
  return {
    rerendered: series.buckets.reduce((n, b) => n + b.qualityRetried, 0),
    failed: series.buckets.reduce((n, b) => n + b.qualityFailed, 0),
  };
}

/** The API's (and the dashboard page's) shape of the farm view: snake_case, seconds, ISO times. */
export function farmJson(view: FarmView) {
  return {
    at: iso(view.at),
    queue: { queued: view.queue.queued, running: view.queue.running, oldest_wait_seconds: view.queue.oldestWaitMs === null ? null : seconds(view.queue.oldestWaitMs) },
    backends: view.backends.map((b) => ({
      name: b.name,
      ...(b.kind ? { kind: b.kind } : {}),
      state: b.state,
      job_id: b.jobId ?? null,
      since: b.since === undefined ? null : iso(b.since),
      ...(b.server ? { server: b.server } : {}),
      gpu_seconds_hour: seconds(b.gpuMsHour),
      busy_share_hour: b.busyShareHour,
    })),
    throughput: { hour: seriesJson(view.hour), day: seriesJson(view.day) },
    quality: { hour: qualityJson(view.hour), day: qualityJson(view.day) },
    top_users: view.topUsers.map((u) => ({ user: u.user, gpu_seconds: seconds(u.gpuMs), attempts: u.attempts })),
    top_users_since: iso(view.at - DAY_MS),
  };
}

/** GET /api/admin/farm: the farm dashboard's data, for moderators and admins. */
export function registerFarmApi(app: FastifyInstance, deps: FarmApiDeps): void {
  app.get('/api/admin/farm', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const result = await deps.farm.view(auth.viewer);
    if (!result.ok) return sendFailure(reply, result);
    return reply.header('Cache-Control', 'no-store').send(farmJson(result.value));
  });
}
