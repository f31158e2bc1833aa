import type { FastifyInstance } from 'fastify';
import type { ProjectService } from '../../core/projects/project-service.js';
import type { Project, ProjectForUser } from '../../core/projects/types.js';
import { authenticate, type AuthDeps } from '../auth.js';
import type { GalleryLinks } from '../../infra/links/gallery-links.js';
import { errorBody, sendFailure } from '../http-errors.js';

export interface ProjectApiDeps extends AuthDeps {
  projects: ProjectService;
  links: GalleryLinks;
}

type Body = Record<string, unknown> | undefined;

/** The API's view of a project: snake_case, the public link only while the project is public. */
function projectJson(project: Project | ProjectForUser, links: GalleryLinks) {
  return {
    slug: project.slug,
    name: project.name,
    description: project.description,
    visibility: project.visibility,
    is_default: project.isDefault,
    archived: project.archivedAt !== null,
    archived_at: project.archivedAt?.toISOString() ?? null,
    created_at: project.createdAt.toISOString(),
    ...('isMember' in project ? { is_member: project.isMember } : {}),
    public_url: project.publicToken ? links.publicProjectUrl(project.publicToken) : null,
  };
}

function stringList(value: unknown): string[] | undefined | null {
  if (value === undefined) return undefined;
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
}

/** Projects over HTTP; the same service the chat commands call. */
export function registerProjectApi(app: FastifyInstance, deps: ProjectApiDeps): void {
  app.get<{ Querystring: { archived?: string } }>('/api/projects', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const listed = await deps.projects.list(auth.viewer, { includeArchived: request.query.archived === 'true' });
    if (!listed.ok) return sendFailure(reply, listed);
    return { projects: listed.value.map((p) => projectJson(p, deps.links)) };
  });

  app.post<{ Body: Body }>('/api/projects', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const created = await deps.projects.create(auth.viewer, request.body ?? {});
    if (!created.ok) return sendFailure(reply, created);
    return reply.code(201).send(projectJson(created.value, deps.links));
  });

  app.get<{ Params: { slug: string } }>('/api/projects/:slug', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const info = await deps.projects.info(auth.viewer, request.params.slug);
    if (!info.ok) return sendFailure(reply, info);
    const { project, images, lastImageAt, members, channels } = info.value;
    return {
      ...projectJson(project, deps.links),
      images,
      last_image_at: lastImageAt?.toISOString() ?? null,
      members: members.map((m) => ({ user: m.externalId, name: m.displayName })),
      channels,
      gallery_url: deps.links.url(auth.viewer, project.slug, { ttlSeconds: 3600 }),
    };
  });

  app.patch<{ Params: { slug: string }; Body: Body }>('/api/projects/:slug', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const updated = await deps.projects.update(auth.viewer, request.params.slug, request.body ?? {});
    return updated.ok ? projectJson(updated.value, deps.links) : sendFailure(reply, updated);
  });

  app.post<{ Params: { slug: string } }>('/api/projects/:slug/archive', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const archived = await deps.projects.archive(auth.viewer, request.params.slug);
    return archived.ok ? projectJson(archived.value, deps.links) : sendFailure(reply, archived);
  });

  app.post<{ Params: { slug: string }; Body: Body }>('/api/projects/:slug/members', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const add = stringList(request.body?.add);
    const remove = stringList(request.body?.remove);
    if (add === null) return reply.code(400).send(errorBody('invalid_input', 'add must be a list of user ids', { field: 'add' }));
    if (remove === null) return reply.code(400).send(errorBody('invalid_input', 'remove must be a list of user ids', { field: 'remove' }));
    const changed = await deps.projects.changeMembers(auth.viewer, request.params.slug, { ...(add ? { add } : {}), ...(remove ? { remove } : {}) });
    return changed.ok ? changed.value : sendFailure(reply, changed);
  });

  app.put<{ Params: { channel: string }; Body: Body }>('/api/channels/:channel/project', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const slug = request.body?.project;
    if (typeof slug !== 'string') return reply.code(400).send(errorBody('invalid_input', 'project is required', { field: 'project' }));
    const used = await deps.projects.use(auth.viewer, request.params.channel, slug);
    return used.ok ? { channel: request.params.channel, project: used.value.slug } : sendFailure(reply, used);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/api/anime/generation/:id/move', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const slug = request.body?.project;
    if (typeof slug !== 'string') return reply.code(400).send(errorBody('invalid_input', 'project is required', { field: 'project' }));
    const moved = await deps.projects.moveImage(auth.viewer, request.params.id, slug);
    return moved.ok ? { job_id: moved.value.jobId, from: moved.value.from, project: moved.value.to, files: moved.value.files } : sendFailure(reply, moved);
  });
}
