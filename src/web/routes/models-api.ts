import type { FastifyInstance } from 'fastify';
import type { OfferedModel } from '../../core/models.js';
import { authenticate, type AuthDeps } from '../auth.js';

export interface ModelsApiDeps extends AuthDeps {
  models(): Promise<OfferedModel[]>;
}

/**
 * GET /api/models: what `model` may name on /api/anime/generate, the default first. `available`
 * is what the workers last found on their backends (null: no worker reported lately).
 */
export function registerModelsApi(app: FastifyInstance, deps: ModelsApiDeps): void {
  app.get('/api/models', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const models = await deps.models();
    return {
      models: models.map((m, index) => ({ id: m.id, name: m.label, default: index === 0, available: m.available })),
    };
  });
}
