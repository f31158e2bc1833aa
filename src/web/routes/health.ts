import type { FastifyInstance } from 'fastify';
import { backendState, type BackendReport } from '../../core/backend-report.js';

export type HealthCheck = () => Promise<void>;

/** What /readyz says of each worker's backend: which one, and whether it can run anything. */
function backendJson(report: BackendReport) {
  return {
    backend: report.backend,
    ...(report.server ? { server: report.server } : {}),
    state: backendState(report),
    problems: report.problems.length,
    checked_at: new Date(report.checkedAt).toISOString(),
  };
}

/**
 * /healthz: the process answers. /readyz: every dependency answers within a second, and when
 * workers have reported their backends, at least one can run something; each backend is named
 * with its state (the problems themselves are in the worker's log and `npm run doctor`).
 */
export function registerHealth(app: FastifyInstance, checks: Record<string, HealthCheck>, backends?: () => Promise<BackendReport[]>): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results: Record<string, 'ok' | 'failing'> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 1_000);
          results[name] = 'ok';
        } catch {
          results[name] = 'failing';
        }
      }),
    );
    let reported: BackendReport[] | undefined;
    if (backends) {
      try {
        reported = await withTimeout(backends(), 1_000);
        // No report yet (no worker started, or web alone) is not a failure: nothing says it is down.
        if (reported.length > 0) results.backend = reported.some((r) => backendState(r) === 'ok') ? 'ok' : 'failing';
      } catch {
        // Redis is away: the redis check already says so.
      }
    }
    const ready = Object.values(results).every((r) => r === 'ok');
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      checks: results,
      ...(reported && reported.length > 0 ? { backends: reported.map(backendJson) } : {}),
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
