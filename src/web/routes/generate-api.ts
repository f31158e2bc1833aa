import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../core/actor.js';
import type { GenerateService, Submitted, Viewer } from '../../core/generate-service.js';
import { MAX_COUNT } from '../../core/generate-request.js';
import { roleAtLeast } from '../../core/roles.js';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import type { Logger } from '../../shared/logger.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { inWebTerms, sendFailure } from '../http-errors.js';
import { jobUrls, statusJson } from '../job-json.js';
import type { MediaLinks } from '../../infra/links/media-links.js';

/** The seed API's field names -> the core request's. `type` is the old API's name for kind. */
const FIELD_MAP: Record<string, string> = {
  prompt: 'prompt',
  negative_prompt: 'negativePrompt',
  project: 'project',
  characters: 'characters',
  width: 'width',
  height: 'height',
  seed: 'seed',
  steps: 'steps',
  count: 'count',
  type: 'kind',
  model: 'model',
  reference_image: 'referenceImage',
  strength: 'strength',
};

const WEB_NAME = Object.fromEntries(Object.entries(FIELD_MAP).map(([web, core]) => [core, web]));

function toCoreRequest(body: unknown): Outcome<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail({ reason: 'body_not_object' }, { field: 'body' });
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const mapped = FIELD_MAP[key];
    if (!mapped) {
      const field = key.slice(0, 40);
      return fail({ reason: 'unknown_field', field, known: Object.keys(FIELD_MAP) });
    }
    out[mapped] = value;
  }
  return ok(out);
}

function againSeed(body: unknown): Outcome<'same' | 'new'> {
  if (body === undefined || body === null) return ok('same');
  if (typeof body !== 'object' || Array.isArray(body)) return fail({ reason: 'body_not_object' }, { field: 'body' });
  for (const key of Object.keys(body)) {
    if (key !== 'seed') return fail({ reason: 'unknown_field', field: key.slice(0, 40), known: ['seed'] });
  }
  const { seed } = body as { seed?: unknown };
  if (seed === undefined || seed === 'same' || seed === 'new') return ok(seed ?? 'same');
  return fail({ reason: 'field_invalid', field: 'seed', rule: 'one_of', values: ['same', 'new'] });
}

/** `{output: n}` of Variations and Upscale: which of the job's pictures (0-based; default the first). */
function outputOf(body: unknown): Outcome<number> {
  if (body === undefined || body === null) return ok(0);
  if (typeof body !== 'object' || Array.isArray(body)) return fail({ reason: 'body_not_object' }, { field: 'body' });
  for (const key of Object.keys(body)) {
    if (key !== 'output') return fail({ reason: 'unknown_field', field: key.slice(0, 40), known: ['output'] });
  }
  const { output } = body as { output?: unknown };
  if (output === undefined) return ok(0);
  if (typeof output === 'number' && Number.isInteger(output) && output >= 0 && output < MAX_COUNT) return ok(output);
  return fail({ reason: 'field_invalid', field: 'output', rule: 'whole_range', min: 0, max: MAX_COUNT - 1 });
}

export interface GenerateApiDeps extends AuthDeps {
  service: GenerateService;
  /** The signed gallery link of a project, as chat replies carry it. */
  projectUrl(viewer: Viewer, projectSlug: string): string;
  links: MediaLinks;
  publicUrl: string;
  log: Logger;
}

export function registerGenerateApi(app: FastifyInstance, deps: GenerateApiDeps): void {
  const accepted = (viewer: Viewer, { job, position }: Submitted) => ({
    job_id: job.id,
    status: job.status,
    position,
    ...(job.reusedFrom ? { reused: true } : {}),
    project: job.projectSlug,
    project_url: deps.projectUrl(viewer, job.projectSlug),
    seed: job.seed,
    ...jobUrls(deps.publicUrl, job.id),
  });

  app.post('/api/anime/generate', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const input = toCoreRequest(request.body);
    if (!input.ok) return sendFailure(reply, input);
    const actor: Actor = auth.actor;
    const submitted = await deps.service.submit(actor, input.value, { platform: 'web' });
    if (!submitted.ok) return sendFailure(reply, inWebTerms(submitted, WEB_NAME));
    return reply.code(202).send(accepted(auth.viewer, submitted.value));
  });

  // The Re-roll button of the web: the same request with a new seed. Only a job one may read (its
  // author, a moderator) can be re-rolled here, so an id alone never reveals someone else's prompt.
  app.post<{ Params: { id: string } }>('/api/anime/generation/:id/reroll', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const readable = await deps.service.view(auth.viewer, request.params.id);
    if (!readable.ok) return sendFailure(reply, readable);
    const submitted = await deps.service.reroll(auth.actor, request.params.id, { platform: 'web' });
    if (!submitted.ok) return sendFailure(reply, inWebTerms(submitted, WEB_NAME));
    return reply.code(202).send(accepted(auth.viewer, submitted.value));
  });

  // Variations and Upscale of one output (`{"output": n}`): a new job, the read job's child. Same
  // reading rule as re-roll.
  for (const [path, relation] of [['variations', 'variation'], ['upscale', 'upscale']] as const) {
    app.post<{ Params: { id: string } }>(`/api/anime/generation/:id/${path}`, async (request, reply) => {
      const auth = await authenticate(deps, request, reply);
      if (!auth) return reply;
      const output = outputOf(request.body);
      if (!output.ok) return sendFailure(reply, output);
      const readable = await deps.service.view(auth.viewer, request.params.id);
      if (!readable.ok) return sendFailure(reply, readable);
      const submitted = await deps.service.fromOutput(auth.actor, request.params.id, relation, output.value, { platform: 'web' });
      if (!submitted.ok) return sendFailure(reply, inWebTerms(submitted, WEB_NAME));
      return reply.code(202).send(accepted(auth.viewer, submitted.value));
    });
  }

  // "Run this recipe again": `{"seed": "same"}` (the default: an identical recipe, answered from
  // its files within the reuse window) or `{"seed": "new"}`. Same reading rule as re-roll.
  app.post<{ Params: { id: string } }>('/api/anime/generation/:id/again', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const seed = againSeed(request.body);
    if (!seed.ok) return sendFailure(reply, seed);
    const submitted = await deps.service.runAgain(auth.actor, request.params.id, seed.value, { platform: 'web' });
    if (!submitted.ok) return sendFailure(reply, inWebTerms(submitted, WEB_NAME));
    return reply.code(202).send(accepted(auth.viewer, submitted.value));
  });

  app.get<{ Params: { id: string } }>('/api/anime/generation/:id/status', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const view = await deps.service.view(auth.viewer, request.params.id);
    if (!view.ok) return sendFailure(reply, view);
    return reply.send({ ...statusJson(view.value, deps.links, deps.publicUrl, { admin: roleAtLeast(auth.viewer.role, 'admin') }), project_url: deps.projectUrl(auth.viewer, view.value.job.projectSlug) });
  });

  app.get<{ Querystring: { scope?: string } }>('/api/anime/jobs', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const listed = await deps.service.listJobs(auth.viewer, request.query.scope === 'space' ? 'space' : 'mine');
    if (!listed.ok) return sendFailure(reply, listed);
    return {
      jobs: listed.value.map((job) => ({
        job_id: job.id,
        status: job.status,
        progress: job.progress,
        prompt: job.promptSent,
        project: job.projectSlug,
        created_at: job.createdAt.toISOString(),
        status_url: jobUrls(deps.publicUrl, job.id).status_url,
      })),
    };
  });

  app.post<{ Params: { id: string } }>('/api/anime/generation/:id/cancel', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const cancelled = await deps.service.cancel(auth.viewer, request.params.id);
    if (!cancelled.ok) return sendFailure(reply, cancelled);
    return reply.send({ job_id: cancelled.value.id, status: cancelled.value.status });
  });

  app.delete<{ Params: { id: string } }>('/api/anime/generation/:id/images', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const deleted = await deps.service.deleteOutputs(auth.viewer, request.params.id);
    if (!deleted.ok) return sendFailure(reply, deleted);
    return reply.send({ job_id: request.params.id, deleted_files: deleted.value.deleted });
  });
}
