import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CharacterService } from '../../core/characters/character-service.js';
import type { GalleryService } from '../../core/gallery/gallery-service.js';
import { UUID_PATTERN } from '../../core/ids.js';
import type { Reader } from '../../core/projects/types.js';
import type { GalleryLinks } from '../../infra/links/gallery-links.js';
import { gallerySession } from '../gallery/gallery-session.js';
import type { Html } from '../gallery/html.js';
import { notFoundPage } from '../gallery/layout.js';
import { characterPage, imagePage, overviewPage, projectPage, searchPage } from '../gallery/pages.js';
import { parseSearch, rawSearch } from '../gallery/search-params.js';
import { FAILURE_WORDS } from '../http-errors.js';
import { attachmentName, recipeJson } from '../recipe-json.js';
import type { RecipeService } from '../../core/recipes/recipe-service.js';
import type { JobRecord } from '../../core/records.js';
import type { GalleryAccess } from '../../core/gallery/gallery-service.js';
import type { MediaLinks } from '../../infra/links/media-links.js';

export interface GalleryRouteDeps {
  gallery: GalleryService;
  /** The workflow a job sent (its recipe download). */
  recipes: Pick<RecipeService, 'workflowForGallery' | 'recipeForGallery'>;
  /** The job record behind an image, for its recipe download (after the gallery allowed the image). */
  jobs: (jobId: string) => Promise<JobRecord | null>;
  characters: CharacterService;
  links: GalleryLinks;
  media: MediaLinks;
  https: boolean;
}

const CSS = readFileSync(new URL('../gallery/gallery.css', import.meta.url), 'utf8');
const SPACE = new RegExp(`^${UUID_PATTERN}$`);

type Params = { space: string; slug?: string; job?: string; character?: string; token?: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Record<string, string | undefined> }>;

function send(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  // Pages of a private gallery: never cached by shared caches, never indexed.
  return reply.code(status).header('Content-Type', 'text/html; charset=utf-8').header('Cache-Control', 'private, no-store').header('X-Robots-Tag', 'noindex').send(page.value);
}

/**
 * The gallery's server-rendered pages. Members come with a signed pass (link, then cookie); public
 * projects by their link token. Anything missing, expired or not allowed gets the same 404 page.
 */
export function registerGalleryRoutes(app: FastifyInstance, deps: GalleryRouteDeps): void {
  const notFound = (reply: FastifyReply) => send(reply, notFoundPage(), 404);

  app.get('/gallery.css', async (_request, reply) => reply.header('Content-Type', 'text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(CSS));

  /** Runs a member page: session first, then the page, or the 404 page. */
  const member = (render: (request: Req, reader: Reader, base: string) => Promise<Html | null>) => async (request: Req, reply: FastifyReply) => {
    const { space } = request.params;
    if (!SPACE.test(space)) return notFound(reply);
    const session = gallerySession(deps.links, request, reply, space, deps.https);
    if (session.kind === 'redirect') return reply.code(303).header('Location', session.to).header('Cache-Control', 'no-store').send();
    if (session.kind === 'none') return notFound(reply);
    const page = await render(request, session.reader, `/gallery/${space}`);
    return page ? send(reply, page) : notFound(reply);
  };

  app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>('/gallery/:space', member(async (_request, reader, base) => overviewPage(base, await deps.gallery.projects(reader))));

  app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>('/gallery/:space/p/:slug', member(async (request, reader, base) => {
    const result = await deps.gallery.projectPage({ kind: 'member', reader }, request.params.slug ?? '', request.query.cursor);
    return result.ok ? projectPage({ ...result.value, media: deps.media, base, spaceBase: base }) : null;
  }));

  app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>('/gallery/:space/i/:job', member(async (request, reader, base) => {
    const result = await deps.gallery.image({ kind: 'member', reader }, request.params.job ?? '');
    return result.ok ? imagePage({ ...result.value, media: deps.media, base, spaceBase: base }) : null;
  }));

  app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>('/gallery/:space/c/:character', member(async (request, reader, base) => {
    const result = await deps.gallery.characterPage(reader, request.params.character ?? '', request.query.cursor);
    return result.ok ? characterPage({ ...result.value, media: deps.media, spaceBase: base }) : null;
  }));

  app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>('/gallery/:space/search', member(async (request, reader, base) => {
    const values = rawSearch(request.query);
    const listed = await deps.characters.list(reader);
    const form = { values, characters: listed.ok ? listed.value : [] };
    const parsed = parseSearch(values);
    if (!parsed.ok) return searchPage({ form: { ...form, query: {}, error: FAILURE_WORDS[parsed.code](parsed) }, page: null, media: deps.media, spaceBase: base });
    const searched = Object.keys(values).length > 0;
    const result = searched ? await deps.gallery.search(reader, parsed.value, values.cursor) : null;
    if (result && !result.ok) return searchPage({ form: { ...form, query: parsed.value, error: FAILURE_WORDS[result.code](result) }, page: null, media: deps.media, spaceBase: base });
    return searchPage({ form: { ...form, query: parsed.value }, page: result?.ok ? result.value : null, media: deps.media, spaceBase: base });
  }));

  /**
   * An image's recipe or workflow as a download, for whoever may see the image page (the same
   * check, the same 404 otherwise). A built-in job sent no workflow: its page offers no link.
   */
  const download = async (reply: FastifyReply, access: GalleryAccess, jobId: string, what: 'recipe' | 'workflow') => {
    const image = await deps.gallery.image(access, jobId);
    const job = image.ok ? await deps.jobs(jobId) : null;
    if (!job) return notFound(reply);
    const body = what === 'recipe' ? recipeJson(await deps.recipes.recipeForGallery(job)) : (await deps.recipes.workflowForGallery(job))?.workflow;
    if (body === undefined) return notFound(reply);
    return reply.header('Content-Type', 'application/json; charset=utf-8').header('Content-Disposition', attachmentName(job.id, what)).header('Cache-Control', 'private, no-store').send(JSON.stringify(body, null, 2));
  };

  for (const what of ['recipe', 'workflow'] as const) {
    app.get<{ Params: Params }>(`/gallery/:space/i/:job/${what}.json`, async (request, reply) => {
      const { space } = request.params;
      if (!SPACE.test(space)) return notFound(reply);
      const session = gallerySession(deps.links, request as Req, reply, space, deps.https);
      if (session.kind === 'redirect') return reply.code(303).header('Location', session.to).header('Cache-Control', 'no-store').send();
      if (session.kind === 'none') return notFound(reply);
      return download(reply, { kind: 'member', reader: session.reader }, request.params.job ?? '', what);
    });
    app.get<{ Params: { token: string; job: string } }>(`/gallery/public/:token/i/:job/${what}.json`, async (request, reply) =>
      download(reply, { kind: 'public', token: request.params.token }, request.params.job, what));
  }

  app.get<{ Params: { token: string }; Querystring: { cursor?: string } }>('/gallery/public/:token', async (request, reply) => {
    const result = await deps.gallery.projectPage({ kind: 'public', token: request.params.token }, null, request.query.cursor);
    if (!result.ok) return notFound(reply);
    const base = `/gallery/public/${encodeURIComponent(request.params.token)}`;
    return send(reply, projectPage({ ...result.value, media: deps.media, base }));
  });

  app.get<{ Params: { token: string; job: string } }>('/gallery/public/:token/i/:job', async (request, reply) => {
    const result = await deps.gallery.image({ kind: 'public', token: request.params.token }, request.params.job);
    if (!result.ok) return notFound(reply);
    const base = `/gallery/public/${encodeURIComponent(request.params.token)}`;
    return send(reply, imagePage({ ...result.value, media: deps.media, base }));
  });
}
