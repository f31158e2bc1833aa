import type { FastifyInstance } from 'fastify';
import type { RecipeService } from '../../core/recipes/recipe-service.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { sendFailure } from '../http-errors.js';
import { attachmentName, recipeJson } from '../recipe-json.js';

export interface RecipeApiDeps extends AuthDeps {
  recipes: RecipeService;
}

/**
 * A job's recipe and the exact workflow it sent, as downloads. Run again is POST .../again in
 * generate-api.ts (it answers like generate).
 */
export function registerRecipeApi(app: FastifyInstance, deps: RecipeApiDeps): void {
  app.get<{ Params: { id: string } }>('/api/anime/generation/:id/recipe', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const found = await deps.recipes.recipe(auth.viewer, request.params.id);
    if (!found.ok) return sendFailure(reply, found);
    return reply.header('Content-Disposition', attachmentName(found.value.job.id, 'recipe')).send(recipeJson(found.value));
  });

  app.get<{ Params: { id: string } }>('/api/anime/generation/:id/workflow', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const found = await deps.recipes.workflow(auth.viewer, request.params.id);
    if (!found.ok) return sendFailure(reply, found);
    const { job, sent } = found.value;
    // The body is the graph exactly as sent (ComfyUI loads it as an API-format workflow); what it
    // came from travels in headers so the body stays loadable.
    return reply
      .header('Content-Disposition', attachmentName(job.id, 'workflow'))
      .header('X-Workflow-Template', sent.template)
      .header('X-Workflow-Template-Version', sent.templateVersion)
      .header('X-Workflow-Attempt', String(sent.attempt))
      .send(sent.workflow);
  });
}
