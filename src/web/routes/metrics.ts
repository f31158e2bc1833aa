import type { FastifyInstance } from 'fastify';
import { roleAtLeast } from '../../core/roles.js';
import type { ServiceMetrics } from '../../infra/metrics.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { errorBody } from '../http-errors.js';

/** Prometheus text format, for admins' tokens only (scrapers send `Authorization: Bearer`). */
export function registerMetrics(app: FastifyInstance, deps: AuthDeps & { metrics: ServiceMetrics }): void {
  app.get('/metrics', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    if (!roleAtLeast(auth.viewer.role, 'admin')) return reply.code(403).send(errorBody('forbidden', 'metrics are for admins'));
    return reply.header('Content-Type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
