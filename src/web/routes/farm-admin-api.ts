import type { FastifyInstance } from 'fastify';
import type { FarmAdminService, FarmBackend } from '../../core/farm-admin.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { sendFailure } from '../http-errors.js';

export interface FarmAdminApiDeps extends AuthDeps {
  farm: FarmAdminService;
}

/** A backend as the API shows it: host:port, never the URL (it may carry credentials). */
function backendJson(b: FarmBackend) {
  return { name: b.name, server: b.server, source: b.source, drained: b.drained, state: b.state ?? null, job_id: b.jobId ?? null };
}

/** The farm's backends over HTTP: list, add, remove, drain, resume. Admins only; every change audited. */
export function registerFarmAdminApi(app: FastifyInstance, deps: FarmAdminApiDeps): void {
  app.get('/api/admin/backends', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const result = await deps.farm.list(auth.viewer);
    return result.ok ? { backends: result.value.map(backendJson) } : sendFailure(reply, result);
  });

  app.post<{ Body: { name?: unknown; url?: unknown } }>('/api/admin/backends', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const result = await deps.farm.add(auth.viewer, request.body ?? {});
    return result.ok ? reply.code(201).send(backendJson(result.value)) : sendFailure(reply, result);
  });

  app.delete<{ Params: { name: string } }>('/api/admin/backends/:name', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const result = await deps.farm.remove(auth.viewer, request.params.name);
    return result.ok ? { name: result.value.name, removed: true } : sendFailure(reply, result);
  });

  for (const [action, drained] of [['drain', true], ['resume', false]] as const) {
    app.post<{ Params: { name: string } }>(`/api/admin/backends/:name/${action}`, async (request, reply) => {
      const auth = await authenticate(deps, request, reply);
      if (!auth) return reply;
      const result = await deps.farm.setDrained(auth.viewer, request.params.name, drained);
      return result.ok ? backendJson(result.value) : sendFailure(reply, result);
    });
  }
}
