import type { FastifyInstance } from 'fastify';
import { isRole } from '../../core/roles.js';
import type { SpaceAdminService } from '../../core/space-admin.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { errorBody, sendFailure } from '../http-errors.js';

export interface AdminApiDeps extends AuthDeps {
  admin: SpaceAdminService;
}

/** Space administration over HTTP: role mapping, settings, tokens, audit log. Admins only. */
export function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): void {
  app.get('/api/admin/roles', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const result = await deps.admin.roleMappings(auth.viewer);
    if (!result.ok) return sendFailure(reply, result);
    return { mappings: result.value.map((m) => ({ platform_role: m.platformRole, role: m.role })) };
  });

  app.put<{ Body: { platform_role?: unknown; role?: unknown } }>('/api/admin/roles', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const { platform_role: platformRole, role } = request.body ?? {};
    if (typeof platformRole !== 'string') return reply.code(400).send(errorBody('invalid_input', 'platform_role is required', { field: 'platform_role' }));
    if (role !== null && !isRole(role)) return reply.code(400).send(errorBody('invalid_input', 'role must be viewer, creator, moderator, admin or null', { field: 'role' }));
    const result = await deps.admin.setRoleMapping(auth.viewer, platformRole, role);
    if (!result.ok) return sendFailure(reply, result);
    return { platform_role: result.value.platformRole, role: result.value.role };
  });

  app.get('/api/admin/settings', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const result = await deps.admin.settings(auth.viewer);
    return result.ok ? { settings: result.value } : sendFailure(reply, result);
  });

  app.patch<{ Body: unknown }>('/api/admin/settings', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const result = await deps.admin.updateSettings(auth.viewer, request.body);
    return result.ok ? { settings: result.value } : sendFailure(reply, result);
  });

  app.post<{ Body: { user?: unknown; role?: unknown; days?: unknown } }>('/api/admin/tokens', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const { user, role = 'creator', days = 30 } = request.body ?? {};
    if (typeof user !== 'string') return reply.code(400).send(errorBody('invalid_input', 'user is required', { field: 'user' }));
    if (!isRole(role)) return reply.code(400).send(errorBody('invalid_input', 'role must be viewer, creator, moderator or admin', { field: 'role' }));
    const result = await deps.admin.issueToken(auth.viewer, {
      subject: user,
      role,
      days: typeof days === 'number' ? days : Number.NaN,
      platform: auth.claims.platform,
      space: auth.claims.space,
    });
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(201).send({ token: result.value.token, token_id: result.value.tokenId, expires_at: result.value.expiresAt.toISOString() });
  });

  app.delete<{ Params: { id: string } }>('/api/admin/tokens/:id', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const result = await deps.admin.revokeToken(auth.viewer, request.params.id);
    return result.ok ? { token_id: result.value.tokenId, revoked: true } : sendFailure(reply, result);
  });

  app.get<{ Querystring: { limit?: string; before?: string; action?: string } }>('/api/admin/audit', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const { limit, before, action } = request.query;
    const result = await deps.admin.auditLog(auth.viewer, {
      ...(limit && /^\d{1,4}$/.test(limit) ? { limit: Number(limit) } : {}),
      ...(before && /^\d{1,15}$/.test(before) ? { beforeId: Number(before) } : {}),
      ...(action && /^[a-z_.]{1,64}$/.test(action) ? { action } : {}),
    });
    if (!result.ok) return sendFailure(reply, result);
    return {
      entries: result.value.map((e) => ({ id: e.id, action: e.action, target: e.target, actor: e.actor, details: e.details, created_at: e.createdAt.toISOString() })),
    };
  });
}
