import { randomBytes } from 'node:crypto';
import type { ForbiddenAction } from '../failure-reasons.js';
import { fail, ok, type Outcome } from '../outcome.js';
import type { MediaStore } from '../ports.js';
import type { AuditNote } from '../records.js';
import { moveJobFiles, type MoveResult } from './move-image.js';
import { isSlug, newProjectSchema, parseWith, projectPatchSchema, slugify } from './project-input.js';
import type { Project, ProjectForUser, ProjectInfo, ProjectPatch, ProjectRecords, Visibility } from './types.js';
import { canSeeProject, mayManageProjects, readerOf, type ViewerOrReader } from './visibility.js';

export interface ProjectServiceDeps {
  records: ProjectRecords;
  media: MediaStore;
}

const CHANNEL_ID = /^[A-Za-z0-9_:.-]{1,64}$/;
const USER_ID = /^[\w.@:-]{1,64}$/;
const MAX_MEMBER_CHANGES = 100;

/** 24 random bytes: a public link nobody can guess or enumerate. */
function newPublicToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Projects of a space: create, list, info, rename, describe, visibility, archive, members, the
 * channel default (`use`) and moving an image between projects. Changes need manage_projects and
 * are audit-logged; reads follow visibility (canSeeProject), and a project one may not see answers
 * exactly like one that does not exist.
 */
export class ProjectService {
  constructor(private readonly deps: ProjectServiceDeps) {}

  /** Projects the viewer may see, default first, then by name; archived ones only when asked. */
  async list(viewer: ViewerOrReader, options: { includeArchived?: boolean } = {}): Promise<Outcome<ProjectForUser[]>> {
    const reader = readerOf(viewer);
    await this.deps.records.ensureDefaultProject(reader.spaceId);
    const all = await this.deps.records.listProjects(reader.spaceId, reader.userId);
    return ok(all.filter((p) => canSeeProject(reader, p) && (options.includeArchived || !p.archivedAt)));
  }

  async info(viewer: ViewerOrReader, slug: string): Promise<Outcome<ProjectInfo>> {
    const project = await this.visible(viewer, slug);
    if (!project.ok) return project;
    return ok({ project: project.value, ...(await this.deps.records.projectInfo(project.value.id)) });
  }

  async create(viewer: ViewerOrReader, input: unknown): Promise<Outcome<Project>> {
    if (!mayManageProjects(readerOf(viewer))) return fail({ reason: 'not_permitted', action: 'create_projects' });
    const parsed = parseWith(newProjectSchema, input);
    if (!parsed.ok) return parsed;
    const slug = parsed.value.slug ?? slugify(parsed.value.name);
    if (!slug) return fail({ reason: 'slug_needed', field: 'slug' });
    const visibility = parsed.value.visibility ?? 'space';
    await this.deps.records.ensureDefaultProject(readerOf(viewer).spaceId);
    const created = await this.deps.records.createProject(
      {
        spaceId: readerOf(viewer).spaceId,
        slug,
        name: parsed.value.name,
        description: parsed.value.description ?? '',
        visibility,
        publicToken: visibility === 'public' ? newPublicToken() : null,
        createdBy: readerOf(viewer).userId,
      },
      this.note(viewer, 'project.created', slug, { name: parsed.value.name, visibility }),
    );
    if (created === 'exists') return fail({ reason: 'project_exists', slug }, { field: 'slug' });
    return ok(created);
  }

  rename(viewer: ViewerOrReader, slug: string, name: string): Promise<Outcome<Project>> {
    return this.update(viewer, slug, { name });
  }

  describe(viewer: ViewerOrReader, slug: string, description: string): Promise<Outcome<Project>> {
    return this.update(viewer, slug, { description });
  }

  setVisibility(viewer: ViewerOrReader, slug: string, visibility: Visibility): Promise<Outcome<Project>> {
    return this.update(viewer, slug, { visibility });
  }

  /** Name, description and visibility. The slug never changes: it is in links and file paths. */
  async update(viewer: ViewerOrReader, slug: string, input: unknown): Promise<Outcome<Project>> {
    const project = await this.managed(viewer, slug, 'change_projects');
    if (!project.ok) return project;
    const parsed = parseWith(projectPatchSchema, input);
    if (!parsed.ok) return parsed;
    const patch: ProjectPatch = { ...parsed.value };
    const { visibility } = parsed.value;
    // Leaving public kills the old link; becoming public makes a new one.
    if (visibility && visibility !== project.value.visibility) patch.publicToken = visibility === 'public' ? newPublicToken() : null;
    if (Object.keys(patch).length === 0) return ok(project.value);
    return ok(await this.deps.records.updateProject(project.value.id, patch, this.note(viewer, 'project.updated', slug, { ...parsed.value })));
  }

  /** Archived projects stay readable but take no new images. The default project cannot be archived. */
  async archive(viewer: ViewerOrReader, slug: string): Promise<Outcome<Project>> {
    const project = await this.managed(viewer, slug, 'archive_projects');
    if (!project.ok) return project;
    if (project.value.isDefault) return fail({ reason: 'default_project_archive' });
    if (project.value.archivedAt) return fail({ reason: 'project_already_archived' });
    return ok(await this.deps.records.archiveProject(project.value.id, this.note(viewer, 'project.archived', slug)));
  }

  /** Makes the project the channel's default for /generate (the `use` command). */
  async use(viewer: ViewerOrReader, channelId: string, slug: string): Promise<Outcome<Project>> {
    if (!CHANNEL_ID.test(channelId)) return fail({ reason: 'field_invalid', field: 'channel', rule: 'channel_id' });
    if (!isSlug(slug)) return fail({ reason: 'field_invalid', field: 'project', rule: 'project_slug' });
    const project = await this.managed(viewer, slug, 'set_channel_projects');
    if (!project.ok) return project;
    if (project.value.archivedAt) return fail({ reason: 'archived_channel_default' });
    await this.deps.records.setChannelProject(readerOf(viewer).spaceId, channelId, project.value.id, this.note(viewer, 'project.used', slug, { channel: channelId }));
    return ok(project.value);
  }

  /** Adds or removes members by platform user id (Discord user id, Slack user id, API token subject). */
  async changeMembers(viewer: ViewerOrReader, slug: string, change: { add?: readonly string[]; remove?: readonly string[] }): Promise<Outcome<{ added: number; removed: number }>> {
    const project = await this.managed(viewer, slug, 'change_projects');
    if (!project.ok) return project;
    const add = [...new Set(change.add ?? [])];
    const remove = [...new Set(change.remove ?? [])];
    if (add.length + remove.length === 0) return fail({ reason: 'members_missing' }, { field: 'add' });
    if (add.length + remove.length > MAX_MEMBER_CHANGES) return fail({ reason: 'members_too_many', max: MAX_MEMBER_CHANGES }, { field: 'add' });
    const bad = [...add, ...remove].find((id) => !USER_ID.test(id));
    if (bad !== undefined) {
      const field = add.includes(bad) ? 'add' : 'remove';
      return fail({ reason: 'field_invalid', field, rule: 'user_id' });
    }
    return ok(await this.deps.records.changeMembers(project.value, add, remove, this.note(viewer, 'project.members', slug, { add, remove })));
  }

  /**
   * Moves an image (a finished job's files) to another project: files first, then the records in
   * one transaction; if either step fails, the files already moved are moved back. Moderators only.
   */
  async moveImage(viewer: ViewerOrReader, jobId: string, targetSlug: string): Promise<Outcome<MoveResult>> {
    if (!mayManageProjects(readerOf(viewer))) return fail({ reason: 'not_permitted', action: 'move_images' });
    if (!isSlug(targetSlug)) return fail({ reason: 'field_invalid', field: 'project', rule: 'project_slug' });
    const job = await this.deps.records.movableJob(jobId);
    if (!job || job.spaceId !== readerOf(viewer).spaceId) return fail({ reason: 'image_unknown' });
    const source = await this.deps.records.getProjectById(job.projectId, readerOf(viewer).userId);
    if (!source || !canSeeProject(readerOf(viewer), source)) return fail({ reason: 'image_unknown' });
    const target = await this.visible(viewer, targetSlug);
    if (!target.ok) return fail({ reason: 'project_unknown', slug: targetSlug }, { field: 'project' });
    if (target.value.archivedAt) return fail({ reason: 'archived_move_target' });
    if (target.value.id === job.projectId) return fail({ reason: 'image_already_there' });
    if (job.status !== 'completed') return fail({ reason: 'image_not_finished' });
    return moveJobFiles(this.deps, job, target.value, (moved) => this.note(viewer, 'image.moved', job.id, { from: moved.from, to: moved.to, files: moved.files }));
  }

  private async visible(viewer: ViewerOrReader, slug: string): Promise<Outcome<ProjectForUser>> {
    const reader = readerOf(viewer);
    if (!isSlug(slug)) return fail({ reason: 'project_unknown', slug: slug.slice(0, 64) });
    if (slug === 'general') await this.deps.records.ensureDefaultProject(reader.spaceId);
    const project = await this.deps.records.getProject(reader.spaceId, slug, reader.userId);
    if (!project || !canSeeProject(reader, project)) return fail({ reason: 'project_unknown', slug });
    return ok(project);
  }

  private async managed(viewer: ViewerOrReader, slug: string, action: ForbiddenAction): Promise<Outcome<ProjectForUser>> {
    if (!mayManageProjects(readerOf(viewer))) return fail({ reason: 'not_permitted', action });
    return this.visible(viewer, slug);
  }

  /** The audit row a change writes in its own transaction. */
  private note(viewer: ViewerOrReader, action: string, target: string, details?: Record<string, unknown>): AuditNote {
    return { spaceId: readerOf(viewer).spaceId, actorUserId: readerOf(viewer).userId, action, target, ...(details ? { details } : {}) };
  }
}
