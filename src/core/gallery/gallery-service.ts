import type { Character } from '../characters/types.js';
import { isUuid } from '../ids.js';
import { fail, ok, type Outcome } from '../outcome.js';
import { textRule } from '../text.js';
import type { Project, ProjectForUser, ProjectRecords, Reader } from '../projects/types.js';
import { canSeeProject, readerOf, type ViewerOrReader } from '../projects/visibility.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { parseSearchText } from './search-text.js';
import type { GalleryItem, GalleryPage, GalleryRecords, ImageDetail, SearchFilter } from './types.js';

/** A member of the space (chat, API token, gallery cookie), or anyone holding a public project's link. */
export type GalleryAccess = { kind: 'member'; reader: Reader } | { kind: 'public'; token: string };

export interface SearchQuery {
  text?: string;
  /** A character id or name. */
  character?: string;
  /** Platform user id of the author. */
  user?: string;
  /** Project slug. */
  project?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
  kind?: 'image' | 'video';
  /** Model id the job ran on (GET /api/models). */
  model?: string;
  /** Page size; capped at MAX_SEARCH_LIMIT. */
  limit?: number;
}

export interface GalleryServiceDeps {
  gallery: GalleryRecords;
  projects: Pick<ProjectRecords, 'listProjects' | 'getProject' | 'getProjectById' | 'getProjectByPublicToken' | 'ensureDefaultProject'>;
  characters: { byId(reader: Reader, id: string): Promise<Outcome<Character>>; list(reader: Reader): Promise<Outcome<Character[]>> };
}

export const PAGE_SIZE = 24;
export const SEARCH_PAGE_SIZE = 50;
/** The most results one page of search or history returns, whatever `limit` asks for. */
export const MAX_SEARCH_LIMIT = 100;
const MAX_SEARCH_TEXT = 200;

/**
 * Read side of projects: grids, image recipes, character pages, search and history. Every read
 * applies canSeeProject; what one may not see is `not_found`, never `forbidden`, so a private
 * project's existence does not leak.
 */
export class GalleryService {
  constructor(private readonly deps: GalleryServiceDeps) {}

  /** The projects a member may browse (archived last). */
  async projects(who: ViewerOrReader): Promise<ProjectForUser[]> {
    return (await this.projectsOf(readerOf(who))).visible;
  }

  private async projectsOf(reader: Reader): Promise<{ all: ProjectForUser[]; visible: ProjectForUser[] }> {
    await this.deps.projects.ensureDefaultProject(reader.spaceId);
    const all = await this.deps.projects.listProjects(reader.spaceId, reader.userId);
    const visible = all.filter((p) => canSeeProject(reader, p)).sort((a, b) => Number(a.archivedAt !== null) - Number(b.archivedAt !== null));
    return { all, visible };
  }

  /** A project's grid, newest first. Members name it by slug; public access by its link token. */
  async projectPage(access: GalleryAccess, slug: string | null, cursor?: string, limit = PAGE_SIZE): Promise<Outcome<{ project: Project; page: GalleryPage }>> {
    const project = await this.project(access, slug);
    if (!project) return fail({ reason: 'project_unknown' });
    const after = decodeCursor(cursor);
    if (after === 'invalid') return fail({ reason: 'field_invalid', field: 'cursor', rule: 'cursor' });
    const rows = await this.deps.gallery.projectPage(project.id, after, limit + 1);
    return ok({ project, page: toPage(rows, limit) });
  }

  async image(access: GalleryAccess, jobId: string): Promise<Outcome<{ project: Project; image: ImageDetail }>> {
    if (!isUuid(jobId)) return fail({ reason: 'image_unknown' });
    const image = await this.deps.gallery.imageDetail(jobId);
    if (!image || image.status !== 'completed' || image.outputs.length === 0) return fail({ reason: 'image_unknown' });
    let project: Project | null;
    if (access.kind === 'public') {
      project = await this.deps.projects.getProjectByPublicToken(access.token);
      if (project?.id !== image.projectId) project = null;
    } else {
      const found = await this.deps.projects.getProjectById(image.projectId, access.reader.userId);
      project = found && canSeeProject(access.reader, found) ? found : null;
    }
    return project ? ok({ project, image }) : fail({ reason: 'image_unknown' });
  }

  async characterPage(who: ViewerOrReader, characterId: string, cursor?: string): Promise<Outcome<{ character: Character; page: GalleryPage }>> {
    const reader = readerOf(who);
    if (!isUuid(characterId)) return fail({ reason: 'character_not_found' });
    const character = await this.deps.characters.byId(reader, characterId);
    if (!character.ok) return character;
    const page = await this.search(reader, { character: characterId }, cursor, PAGE_SIZE);
    return page.ok ? ok({ character: character.value, page: page.value }) : page;
  }

  /** Full text over prompts and character names, with filters; newest first, keyset-paginated. */
  async search(who: ViewerOrReader, query: SearchQuery, cursor?: string, limit = SEARCH_PAGE_SIZE): Promise<Outcome<GalleryPage>> {
    const reader = readerOf(who);
    const after = decodeCursor(cursor);
    if (after === 'invalid') return fail({ reason: 'field_invalid', field: 'cursor', rule: 'cursor' });
    for (const [field, value] of [['q', query.text], ['character', query.character], ['user', query.user], ['project', query.project]] as const) {
      const rule = value === undefined ? undefined : textRule(value);
      if (rule) return fail({ reason: 'field_invalid', field, rule });
    }
    const text = query.text?.trim();
    if (text && text.length > MAX_SEARCH_TEXT) return fail({ reason: 'field_invalid', field: 'q', rule: 'max', maximum: MAX_SEARCH_TEXT, origin: 'string' });
    if (query.from && query.to && query.from >= query.to) return fail({ reason: 'range_reversed', from: 'from', to: 'to', inclusive: false }, { field: 'from' });
    const { all, visible } = await this.projectsOf(reader);
    const filter: SearchFilter = { projectIds: null };
    if (query.project) {
      const project = visible.find((p) => p.slug === query.project);
      if (!project) return fail({ reason: 'project_unknown', slug: query.project.slice(0, 64) }, { field: 'project' });
      filter.projectIds = [project.id];
    } else {
      // When every project is visible the filter adds nothing; leaving it out keeps the plan simple.
      if (visible.length < all.length) filter.projectIds = visible.map((p) => p.id);
    }
    if (query.character) {
      const character = await this.character(reader, query.character);
      if (!character) return fail({ reason: 'character_not_found', name: query.character.slice(0, 48) }, { field: 'character' });
      filter.characterId = character.id;
    }
    if (text) {
      const parsed = parseSearchText(text);
      if (!parsed) return fail({ reason: 'field_invalid', field: 'q', rule: 'search_words' });
      filter.text = parsed;
    }
    if (query.user) filter.user = query.user;
    if (query.from) filter.from = query.from;
    if (query.to) filter.to = query.to;
    if (query.kind) filter.kind = query.kind;
    if (query.model) filter.model = query.model;
    const size = Math.min(Math.max(1, Math.trunc(query.limit ?? limit)), MAX_SEARCH_LIMIT);
    const rows = await this.deps.gallery.search(reader.spaceId, filter, after, size + 1);
    return ok(toPage(rows, size));
  }

  /** /history: the newest images, optionally one user's and one project's. */
  history(who: ViewerOrReader, query: { user?: string; project?: string; limit?: number }, cursor?: string): Promise<Outcome<GalleryPage>> {
    return this.search(who, query, cursor, PAGE_SIZE);
  }

  private async project(access: GalleryAccess, slug: string | null): Promise<Project | null> {
    if (access.kind === 'public') return this.deps.projects.getProjectByPublicToken(access.token);
    if (!slug) return null;
    if (slug === 'general') await this.deps.projects.ensureDefaultProject(access.reader.spaceId);
    const project = await this.deps.projects.getProject(access.reader.spaceId, slug, access.reader.userId);
    return project && canSeeProject(access.reader, project) ? project : null;
  }

  private async character(reader: Reader, idOrName: string): Promise<Character | null> {
    if (isUuid(idOrName)) {
      const found = await this.deps.characters.byId(reader, idOrName);
      return found.ok ? found.value : null;
    }
    const key = idOrName.trim().toLowerCase();
    const listed = await this.deps.characters.list(reader);
    return (listed.ok ? listed.value : []).find((c) => c.name.toLowerCase() === key) ?? null;
  }
}

function toPage(rows: GalleryItem[], limit: number): GalleryPage {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.position) : null };
}
