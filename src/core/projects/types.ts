import type { AuditNote } from '../records.js';
import type { Role } from '../roles.js';

export const VISIBILITIES = ['space', 'private', 'public'] as const;
/** space: every member of the space · private: listed members (and the space's moderators) · public: anyone with the link. */
export type Visibility = (typeof VISIBILITIES)[number];

export function isVisibility(value: unknown): value is Visibility {
  return typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value);
}

export interface Project {
  id: string;
  spaceId: string;
  slug: string;
  name: string;
  description: string;
  visibility: Visibility;
  /** Set only while the project is public; the unguessable part of its public link. */
  publicToken: string | null;
  isDefault: boolean;
  archivedAt: Date | null;
  createdAt: Date;
}

/** A project as one user sees it: whether they are on its member list. */
export interface ProjectForUser extends Project {
  isMember: boolean;
}

export interface ProjectMember {
  userId: string;
  externalId: string;
  displayName: string;
}

export interface ProjectInfo {
  project: ProjectForUser;
  images: number;
  lastImageAt: Date | null;
  members: ProjectMember[];
  /** Channels whose default project this is (platform channel ids). */
  channels: string[];
}

/** Who reads: enough to apply the visibility rules, whether from a chat identity or a gallery cookie. */
export interface Reader {
  spaceId: string;
  userId: string;
  role: Role;
}

export interface NewProject extends Pick<Project, 'spaceId' | 'slug' | 'name' | 'description' | 'visibility' | 'publicToken'> {
  createdBy: string;
}

export interface ProjectPatch {
  name?: string;
  description?: string;
  visibility?: Visibility;
  publicToken?: string | null;
}

/** A job's files as the move needs them. */
export interface MovableJob {
  id: string;
  spaceId: string;
  projectId: string;
  projectSlug: string;
  userId: string;
  status: string;
  assets: Array<{ id: string; storageKey: string; deleted: boolean }>;
}

/**
 * What the project service needs from the system of record. Implemented over Postgres in src/db.
 * Every change takes its audit note and writes both in one transaction: a change is never saved
 * without its audit row, nor the row without the change.
 */
export interface ProjectRecords {
  /** The space's default project exists after this (created on first use, like generation does). */
  ensureDefaultProject(spaceId: string): Promise<void>;
  listProjects(spaceId: string, userId: string): Promise<ProjectForUser[]>;
  getProject(spaceId: string, slug: string, userId: string): Promise<ProjectForUser | null>;
  getProjectById(projectId: string, userId: string): Promise<ProjectForUser | null>;
  getProjectByPublicToken(token: string): Promise<Project | null>;
  /** 'exists' when the slug is taken in the space. */
  createProject(project: NewProject, audit: AuditNote): Promise<Project | 'exists'>;
  updateProject(projectId: string, patch: ProjectPatch, audit: AuditNote): Promise<Project>;
  archiveProject(projectId: string, audit: AuditNote): Promise<Project>;
  setChannelProject(spaceId: string, channelId: string, projectId: string, audit: AuditNote): Promise<void>;
  projectInfo(projectId: string): Promise<Omit<ProjectInfo, 'project'>>;
  /** Adds and removes members by platform user id (on the space's platform). Returns the counts changed. */
  changeMembers(project: Project, add: readonly string[], remove: readonly string[], audit: AuditNote): Promise<{ added: number; removed: number }>;
  movableJob(jobId: string): Promise<MovableJob | null>;
  /**
   * Points the job and its asset rows at the new project and keys, in one transaction, only if the
   * job is still in `fromProjectId`, with the audit note. False when it was not (someone moved it meanwhile).
   */
  moveJobRecords(jobId: string, fromProjectId: string, toProjectId: string, keys: ReadonlyMap<string, string>, audit: AuditNote): Promise<boolean>;
}
