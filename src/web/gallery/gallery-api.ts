import type { FastifyInstance } from 'fastify';
import type { GalleryService } from '../../core/gallery/gallery-service.js';
import type { GalleryItem, GalleryPage } from '../../core/gallery/types.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { errorBody, sendFailure } from '../http-errors.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import { SHORT_LINK_TTL_SECONDS, type GalleryLinks } from '../../infra/links/gallery-links.js';
import { parseSearch, rawSearch } from './search-params.js';
import { jobUrls } from '../job-json.js';

export interface GalleryApiDeps extends AuthDeps {
  gallery: GalleryService;
  links: GalleryLinks;
  media: MediaLinks;
  publicUrl: string;
}

function itemJson(item: GalleryItem, deps: GalleryApiDeps) {
  return {
    job_id: item.jobId,
    project: item.projectSlug,
    prompt: item.prompt,
    kind: item.kind,
    characters: item.characterNames,
    user: item.author.externalId,
    user_name: item.author.displayName,
    outputs: item.outputs,
    created_at: item.createdAt.toISOString(),
    thumbnail_url: deps.media.url(item.thumbnailAssetId),
    image_url: deps.media.url(item.originalAssetId),
    status_url: jobUrls(deps.publicUrl, item.jobId).status_url,
  };
}

function pageJson(page: GalleryPage, deps: GalleryApiDeps) {
  return { items: page.items.map((i) => itemJson(i, deps)), next_cursor: page.nextCursor };
}

/** /history, /search and /gallery for chat adapters and API users: JSON over the gallery service. */
export function registerGalleryApi(app: FastifyInstance, deps: GalleryApiDeps): void {
  app.get('/api/history', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const raw = rawSearch(request.query);
    const parsed = parseSearch({ ...(raw.user ? { user: raw.user } : {}), ...(raw.project ? { project: raw.project } : {}), ...(raw.limit ? { limit: raw.limit } : {}) });
    if (!parsed.ok) return sendFailure(reply, parsed);
    const history = await deps.gallery.history(auth.viewer, parsed.value, raw.cursor);
    return history.ok ? pageJson(history.value, deps) : sendFailure(reply, history);
  });

  app.get('/api/search', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const raw = rawSearch(request.query);
    if (!raw.q && !raw.character && !raw.user && !raw.from && !raw.to && !raw.kind && !raw.model && !raw.project) {
      return reply.code(400).send(errorBody('invalid_input', 'give q or at least one filter', { field: 'q' }));
    }
    const parsed = parseSearch(raw);
    if (!parsed.ok) return sendFailure(reply, parsed);
    const found = await deps.gallery.search(auth.viewer, parsed.value, raw.cursor);
    return found.ok ? pageJson(found.value, deps) : sendFailure(reply, found);
  });

  app.post<{ Body: { project?: unknown } | undefined }>('/api/gallery-link', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const project = request.body?.project;
    if (project !== undefined && (typeof project !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(project))) {
      return reply.code(400).send(errorBody('invalid_input', 'project must be a project slug', { field: 'project' }));
    }
    const link = deps.links.link(auth.viewer, project ? `/p/${project}` : '', { ttlSeconds: SHORT_LINK_TTL_SECONDS });
    return reply.code(201).send({ url: link.url, expires_at: link.expiresAt.toISOString() });
  });
}
