import { fail, ok, type Outcome } from '../outcome.js';
import { can } from '../policy/permissions.js';
import { isSlug, parseWith } from '../projects/project-input.js';
import type { AuditNote } from '../records.js';
import type { ProjectForUser, ProjectRecords, Reader } from '../projects/types.js';
import { canSeeProject, readerOf, type ViewerOrReader } from '../projects/visibility.js';
import { characterPatchSchema, isCharacterName, newCharacterSchema } from './character-input.js';
import type { CharacterResolver, MergeableCharacter } from './merge.js';
import type { UploadRecords } from '../uploads/types.js';
import type { Character, CharacterFields, CharacterRecords } from './types.js';

export interface CharacterServiceDeps {
  records: CharacterRecords;
  projects: Pick<ProjectRecords, 'getProject' | 'getProjectById' | 'listProjects' | 'ensureDefaultProject'>;
  /** Uploaded pictures a character's references may name; without it references are refused. */
  uploads?: Pick<UploadRecords, 'getUpload'>;
}

/** Reference pictures one character may carry (a job sends at most MAX_JOB_INPUTS in all). */
export const MAX_CHARACTER_REFERENCES = 4;

/** Where to look for a character: one project's (and then space-wide), or space-wide only. */
export interface CharacterScope {
  /** Project slug; absent = space-wide. */
  project?: string | null;
}

/**
 * A space's cast: characters per project or space-wide, with the prompt fragments the generate
 * service merges (see merge.ts for the order). Changes need manage_characters and are audit-logged;
 * characters of a project one may not see are invisible, like the project.
 */
export class CharacterService implements CharacterResolver {
  constructor(private readonly deps: CharacterServiceDeps) {}

  async list(viewer: ViewerOrReader, scope: CharacterScope = {}): Promise<Outcome<Character[]>> {
    const reader = readerOf(viewer);
    if (scope.project) {
      const project = await this.project(reader, scope.project);
      if (!project.ok) return project;
      const [own, shared] = await Promise.all([
        this.deps.records.listCharacters(reader.spaceId, project.value.id),
        this.deps.records.listCharacters(reader.spaceId, null),
      ]);
      return ok([...own, ...shared]);
    }
    const visible = await this.visibleProjectIds(reader);
    const all = await this.deps.records.listCharacters(reader.spaceId);
    return ok(all.filter((c) => c.projectId === null || visible.has(c.projectId)));
  }

  /** By name: the project's own character first, then the space-wide one. */
  async show(viewer: ViewerOrReader, name: string, scope: CharacterScope = {}): Promise<Outcome<Character>> {
    return this.find(readerOf(viewer), name, scope, true);
  }

  /** By id, for gallery pages and links. */
  async byId(viewer: ViewerOrReader, characterId: string): Promise<Outcome<Character>> {
    const reader = readerOf(viewer);
    const character = await this.deps.records.getCharacter(reader.spaceId, characterId);
    if (!character || !(await this.characterVisible(reader, character))) return fail({ reason: 'character_not_found' });
    return ok(character);
  }

  async create(viewer: ViewerOrReader, input: unknown): Promise<Outcome<Character>> {
    const reader = readerOf(viewer);
    if (!this.mayManage(reader)) return fail({ reason: 'not_permitted', action: 'create_characters' });
    const parsed = parseWith(newCharacterSchema, input);
    if (!parsed.ok) return parsed;
    const { project: slug, ...fields } = parsed.value;
    let projectId: string | null = null;
    if (slug) {
      const project = await this.project(reader, slug);
      if (!project.ok) return { ...project, field: 'project' };
      projectId = project.value.id;
    }
    if (fields.referenceAssetId && !(await this.deps.records.assetInSpace(reader.spaceId, fields.referenceAssetId))) {
      return fail({ reason: 'reference_image_unknown', field: 'referenceAssetId' });
    }
    const created = await this.deps.records.createCharacter(reader.spaceId, { ...fields, projectId }, reader.userId, (saved) => this.note(reader, 'character.created', saved, {}));
    if (created === 'exists') return fail({ reason: 'character_exists', name: fields.name, where: slug ? 'project' : 'space' }, { field: 'name' });
    return ok(created);
  }

  async edit(viewer: ViewerOrReader, name: string, input: unknown, scope: CharacterScope = {}): Promise<Outcome<Character>> {
    const reader = readerOf(viewer);
    if (!this.mayManage(reader)) return fail({ reason: 'not_permitted', action: 'edit_characters' });
    const found = await this.find(reader, name, scope, false);
    if (!found.ok) return found;
    const parsed = parseWith(characterPatchSchema, input);
    if (!parsed.ok) return parsed;
    const patch: Partial<CharacterFields> = { ...parsed.value };
    if (patch.referenceAssetId && !(await this.deps.records.assetInSpace(reader.spaceId, patch.referenceAssetId))) {
      return fail({ reason: 'reference_image_unknown', field: 'referenceAssetId' });
    }
    if (Object.keys(patch).length === 0) return ok(found.value);
    const updated = await this.deps.records.updateCharacter(found.value.id, patch, (saved) => this.note(reader, 'character.updated', saved, { changed: Object.keys(patch) }));
    if (updated === 'exists') return fail({ reason: 'character_exists', name: (patch.name ?? name).slice(0, 48), where: 'there' }, { field: 'name' });
    return ok(updated);
  }

  async delete(viewer: ViewerOrReader, name: string, scope: CharacterScope = {}): Promise<Outcome<{ id: string; name: string }>> {
    const reader = readerOf(viewer);
    if (!this.mayManage(reader)) return fail({ reason: 'not_permitted', action: 'delete_characters' });
    const found = await this.find(reader, name, scope, false);
    if (!found.ok) return found;
    await this.deps.records.deleteCharacter(found.value.id, this.note(reader, 'character.deleted', found.value, {}));
    return ok({ id: found.value.id, name: found.value.name });
  }

  /**
   * Replaces (`mode: 'set'`) or extends (`'add'`) a character's reference pictures: uploads of the
   * space, in order. Moderators only, audit-logged; an id of another space is "not found".
   */
  async setReferences(viewer: ViewerOrReader, name: string, uploadIds: readonly string[], mode: 'set' | 'add', scope: CharacterScope = {}): Promise<Outcome<Character>> {
    const reader = readerOf(viewer);
    if (!this.mayManage(reader)) return fail({ reason: 'not_permitted', action: 'change_characters' });
    const found = await this.find(reader, name, scope, false);
    if (!found.ok) return found;
    const wanted = [...new Set([...(mode === 'add' ? found.value.referenceImages : []), ...uploadIds])];
    if (wanted.length > MAX_CHARACTER_REFERENCES) {
      return fail({ reason: 'character_references_too_many', field: 'images', max: MAX_CHARACTER_REFERENCES });
    }
    for (const uploadId of wanted) {
      if (!this.deps.uploads || !(await this.deps.uploads.getUpload(reader.spaceId, uploadId))) {
        return fail({ reason: 'upload_unknown', field: 'images' });
      }
    }
    await this.deps.records.setReferenceImages(found.value.id, wanted, this.note(reader, 'character.references_set', found.value, { images: wanted }));
    const saved = await this.deps.records.getCharacter(reader.spaceId, found.value.id);
    return saved ? ok(saved) : fail({ reason: 'character_not_found' });
  }

  /** The generate service's port; see CharacterResolver. */
  async resolve(spaceId: string, projectId: string, names: readonly string[]): Promise<{ ok: true; characters: MergeableCharacter[] } | { ok: false; unknown: string }> {
    const candidates = await this.deps.records.charactersNamed(spaceId, projectId, names);
    const characters: MergeableCharacter[] = [];
    for (const name of names) {
      const key = name.trim().toLowerCase();
      const matches = candidates.filter((c) => c.name.toLowerCase() === key);
      const chosen = matches.find((c) => c.projectId === projectId) ?? matches.find((c) => c.projectId === null);
      if (!chosen) return { ok: false, unknown: name.trim().slice(0, 64) };
      characters.push(chosen);
    }
    return { ok: true, characters };
  }

  private async find(reader: Reader, name: string, scope: CharacterScope, fallBackToSpace: boolean): Promise<Outcome<Character>> {
    const notFound = fail({ reason: 'character_not_found', name: name.slice(0, 48) }, { field: 'name' });
    if (!isCharacterName(name.trim())) return notFound;
    if (scope.project) {
      const project = await this.project(reader, scope.project);
      if (!project.ok) return project;
      const own = await this.deps.records.findCharacter(reader.spaceId, project.value.id, name.trim());
      if (own) return ok(own);
      if (!fallBackToSpace) return notFound;
    }
    const shared = await this.deps.records.findCharacter(reader.spaceId, null, name.trim());
    return shared ? ok(shared) : notFound;
  }

  private async project(reader: Reader, slug: string): Promise<Outcome<ProjectForUser>> {
    if (!isSlug(slug)) return fail({ reason: 'field_invalid', field: 'project', rule: 'project_slug' });
    if (slug === 'general') await this.deps.projects.ensureDefaultProject(reader.spaceId);
    const project = await this.deps.projects.getProject(reader.spaceId, slug, reader.userId);
    if (!project || !canSeeProject(reader, project)) return fail({ reason: 'project_unknown', slug: slug.slice(0, 64) }, { field: 'project' });
    return ok(project);
  }

  private async characterVisible(reader: Reader, character: Character): Promise<boolean> {
    if (character.projectId === null) return can({ role: reader.role, userId: reader.userId }, 'view_gallery');
    const project = await this.deps.projects.getProjectById(character.projectId, reader.userId);
    return project !== null && canSeeProject(reader, project);
  }

  private async visibleProjectIds(reader: Reader): Promise<Set<string>> {
    const projects = await this.deps.projects.listProjects(reader.spaceId, reader.userId);
    return new Set(projects.filter((p) => canSeeProject(reader, p)).map((p) => p.id));
  }

  private mayManage(reader: Reader): boolean {
    return can({ role: reader.role, userId: reader.userId }, 'manage_characters');
  }

  /** The audit row a change writes in its own transaction. */
  private note(reader: Reader, action: string, character: Character, details: Record<string, unknown>): AuditNote {
    return { spaceId: reader.spaceId, actorUserId: reader.userId, action, target: character.name, details: { id: character.id, project: character.projectSlug, ...details } };
  }
}
