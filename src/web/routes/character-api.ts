import type { FastifyInstance } from 'fastify';
import type { CharacterService } from '../../core/characters/character-service.js';
import type { Character } from '../../core/characters/types.js';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { inWebTerms, sendFailure } from '../http-errors.js';

export interface CharacterApiDeps extends AuthDeps {
  characters: CharacterService;
}

/** Web field names -> the core's. */
const FIELDS: Record<string, string> = {
  name: 'name',
  project: 'project',
  description: 'description',
  prompt: 'promptFragment',
  negative_prompt: 'negativeFragment',
  reference_seed: 'referenceSeed',
  lora: 'lora',
  reference_image: 'referenceAssetId',
};
const WEB_NAME = Object.fromEntries(Object.entries(FIELDS).map(([web, core]) => [core, web]));

function toCore(body: unknown, allowProject: boolean): Outcome<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail({ reason: 'body_not_object' }, { field: 'body' });
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const core = FIELDS[key];
    if (!core || (core === 'project' && !allowProject)) return fail({ reason: 'unknown_field', field: key.slice(0, 40) });
    out[core] = value;
  }
  return ok(out);
}

/** Names a failure's field as the web API calls it. */
function webTerms<T>(outcome: Outcome<T>): Outcome<T> {
  return outcome.ok ? outcome : inWebTerms(outcome, WEB_NAME);
}

/** `{"images": [id, ...]}`, or for an addition also `{"image": id}`. */
function referenceList(body: unknown, mode: 'set' | 'add'): Outcome<string[]> {
  const refused = fail({ reason: 'references_body_invalid', field: mode === 'set' ? 'images' : 'image', mode });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refused;
  const entries = Object.entries(body);
  if (entries.length !== 1) return refused;
  const [key, value] = entries[0]!;
  const list = key === 'images' ? value : key === 'image' && mode === 'add' ? [value] : undefined;
  if (!Array.isArray(list) || !list.every((id): id is string => typeof id === 'string')) return refused;
  return ok(list);
}

function characterJson(c: Character) {
  return {
    id: c.id,
    name: c.name,
    project: c.projectSlug,
    description: c.description,
    prompt: c.promptFragment,
    negative_prompt: c.negativeFragment,
    reference_seed: c.referenceSeed,
    lora: c.lora,
    reference_image: c.referenceAssetId,
    reference_images: c.referenceImages,
    created_at: c.createdAt.toISOString(),
  };
}

/** Characters over HTTP. `?project=slug` picks a project's character over a space-wide one of the same name. */
export function registerCharacterApi(app: FastifyInstance, deps: CharacterApiDeps): void {
  type Scoped = { Querystring: { project?: string } };
  const scope = (q: { project?: string }) => (typeof q.project === 'string' && q.project ? { project: q.project } : {});

  app.get<Scoped>('/api/characters', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const listed = await deps.characters.list(auth.viewer, scope(request.query));
    return listed.ok ? { characters: listed.value.map(characterJson) } : sendFailure(reply, listed);
  });

  app.post<{ Body: unknown }>('/api/characters', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const input = toCore(request.body, true);
    if (!input.ok) return sendFailure(reply, input);
    const created = webTerms(await deps.characters.create(auth.viewer, input.value));
    return created.ok ? reply.code(201).send(characterJson(created.value)) : sendFailure(reply, created);
  });

  app.get<Scoped & { Params: { name: string } }>('/api/characters/:name', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const shown = await deps.characters.show(auth.viewer, request.params.name, scope(request.query));
    return shown.ok ? characterJson(shown.value) : sendFailure(reply, shown);
  });

  app.patch<Scoped & { Params: { name: string }; Body: unknown }>('/api/characters/:name', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const input = toCore(request.body, false);
    if (!input.ok) return sendFailure(reply, input);
    const edited = webTerms(await deps.characters.edit(auth.viewer, request.params.name, input.value, scope(request.query)));
    return edited.ok ? characterJson(edited.value) : sendFailure(reply, edited);
  });

  // Reference pictures (uploads of the space, POST /api/uploads): PUT replaces the list, POST adds to it.
  for (const [method, mode] of [['put', 'set'], ['post', 'add']] as const) {
    app[method]<Scoped & { Params: { name: string }; Body: unknown }>('/api/characters/:name/references', async (request, reply) => {
      const auth = await authenticate(deps, request, reply);
      if (!auth) return reply;
      const images = referenceList(request.body, mode);
      if (!images.ok) return sendFailure(reply, images);
      const changed = await deps.characters.setReferences(auth.viewer, request.params.name, images.value, mode, scope(request.query));
      return changed.ok ? characterJson(changed.value) : sendFailure(reply, changed);
    });
  }

  app.delete<Scoped & { Params: { name: string } }>('/api/characters/:name', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const deleted = await deps.characters.delete(auth.viewer, request.params.name, scope(request.query));
    return deleted.ok ? { deleted: true, id: deleted.value.id, name: deleted.value.name } : sendFailure(reply, deleted);
  });
}
