import { can } from '../policy/permissions.js';
import { roleAtLeast } from '../roles.js';
import type { ProjectForUser, Reader } from './types.js';

/**
 * The one visibility rule, used by every read (API, chat, gallery, search):
 * - space and public projects: every member of the space who may view the gallery;
 * - private projects: their listed members, and the space's moderators and admins (who manage them).
 * Public projects are also readable by anyone holding their link token; that path does not come here.
 */
export function canSeeProject(reader: Reader, project: Pick<ProjectForUser, 'spaceId' | 'visibility' | 'isMember'>): boolean {
  if (project.spaceId !== reader.spaceId) return false;
  if (!can({ role: reader.role, userId: reader.userId }, 'view_gallery')) return false;
  if (project.visibility !== 'private') return true;
  return project.isMember || roleAtLeast(reader.role, 'moderator');
}

export function mayManageProjects(reader: Reader): boolean {
  return can({ role: reader.role, userId: reader.userId }, 'manage_projects');
}

/** A chat or API viewer (from GenerateService.identify), or a gallery reader: services take either. */
export type ViewerOrReader = { identity: { spaceId: string; userId: string }; role: Reader['role'] } | Reader;

export function readerOf(who: ViewerOrReader): Reader {
  return 'identity' in who ? { spaceId: who.identity.spaceId, userId: who.identity.userId, role: who.role } : who;
}
