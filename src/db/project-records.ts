import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { MovableJob, NewProject, Project, ProjectForUser, ProjectInfo, ProjectPatch, ProjectRecords } from '../core/projects/types.js';
import { isVisibility } from '../core/projects/types.js';
import type { Database } from './client.js';
import { isUuid } from '../core/ids.js';
import { memberOf } from './membership.js';
import { writeAudit, type PostgresRecords } from './records.js';
import type { AuditNote } from '../core/records.js';
import { assets, channelProjects, jobs, projectMembers, projects, spaces, users } from './schema.js';

type ProjectRow = typeof projects.$inferSelect;

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    spaceId: row.spaceId,
    slug: row.slug,
    name: row.name,
    description: row.description,
    visibility: isVisibility(row.visibility) ? row.visibility : 'private',
    publicToken: row.publicToken,
    isDefault: row.isDefault,
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
  };
}

export class PostgresProjectRecords implements ProjectRecords {
  constructor(
    private readonly db: Database,
    /** The generate records own the default project's creation (and its cache). */
    private readonly records: PostgresRecords,
  ) {}

  async ensureDefaultProject(spaceId: string): Promise<void> {
    await this.records.defaultProject(spaceId);
  }

  async listProjects(spaceId: string, userId: string): Promise<ProjectForUser[]> {
    const rows = await this.db
      .select({ project: projects, isMember: memberOf(userId) })
      .from(projects)
      .where(eq(projects.spaceId, spaceId))
      .orderBy(sql`${projects.isDefault} desc`, asc(projects.name));
    return rows.map((r) => ({ ...toProject(r.project), isMember: r.isMember }));
  }

  async getProject(spaceId: string, slug: string, userId: string): Promise<ProjectForUser | null> {
    const [row] = await this.db
      .select({ project: projects, isMember: memberOf(userId) })
      .from(projects)
      .where(and(eq(projects.spaceId, spaceId), eq(projects.slug, slug)));
    return row ? { ...toProject(row.project), isMember: row.isMember } : null;
  }

  async getProjectById(projectId: string, userId: string): Promise<ProjectForUser | null> {
    if (!isUuid(projectId)) return null;
    const [row] = await this.db.select({ project: projects, isMember: memberOf(userId) }).from(projects).where(eq(projects.id, projectId));
    return row ? { ...toProject(row.project), isMember: row.isMember } : null;
  }

  async getProjectByPublicToken(token: string): Promise<Project | null> {
    if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return null;
    const [row] = await this.db
      .select()
      .from(projects)
      .where(and(eq(projects.publicToken, token), eq(projects.visibility, 'public')));
    return row ? toProject(row) : null;
  }

  async createProject(project: NewProject, audit: AuditNote): Promise<Project | 'exists'> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(projects).values(project).onConflictDoNothing({ target: [projects.spaceId, projects.slug] }).returning();
      if (!row) return 'exists';
      await writeAudit(tx, audit);
      return toProject(row);
    });
  }

  async updateProject(projectId: string, patch: ProjectPatch, audit: AuditNote): Promise<Project> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.update(projects).set(patch).where(eq(projects.id, projectId)).returning();
      if (!row) throw new Error('project update matched no row');
      await writeAudit(tx, audit);
      return toProject(row);
    });
  }

  async archiveProject(projectId: string, audit: AuditNote): Promise<Project> {
    // A channel bound to an archived project falls back to the space default.
    return this.db.transaction(async (tx) => {
      const [row] = await tx.update(projects).set({ archivedAt: new Date() }).where(eq(projects.id, projectId)).returning();
      if (!row) throw new Error('project archive matched no row');
      await tx.delete(channelProjects).where(eq(channelProjects.projectId, projectId));
      await writeAudit(tx, audit);
      return toProject(row);
    });
  }

  async setChannelProject(spaceId: string, channelId: string, projectId: string, audit: AuditNote): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .insert(channelProjects)
        .values({ spaceId, channelId, projectId })
        .onConflictDoUpdate({ target: [channelProjects.spaceId, channelProjects.channelId], set: { projectId } });
      await writeAudit(tx, audit);
    });
  }

  async projectInfo(projectId: string): Promise<Omit<ProjectInfo, 'project'>> {
    const [counts] = await this.db
      .select({ images: sql<number>`count(*)::int`, last: sql<Date | null>`max(${assets.createdAt})` })
      .from(assets)
      .where(and(eq(assets.projectId, projectId), eq(assets.variant, 'original'), isNull(assets.deletedAt)));
    const members = await this.db
      .select({ userId: users.id, externalId: users.externalId, displayName: users.displayName })
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(eq(projectMembers.projectId, projectId))
      .orderBy(asc(users.externalId));
    const channels = await this.db.select({ id: channelProjects.channelId }).from(channelProjects).where(eq(channelProjects.projectId, projectId));
    const last = counts?.last ? new Date(counts.last) : null;
    return { images: counts?.images ?? 0, lastImageAt: last, members, channels: channels.map((c) => c.id) };
  }

  async changeMembers(project: Project, add: readonly string[], remove: readonly string[], audit: AuditNote): Promise<{ added: number; removed: number }> {
    return this.db.transaction(async (tx) => {
      const [space] = await tx.select({ platform: spaces.platform }).from(spaces).where(eq(spaces.id, project.spaceId));
      if (!space) throw new Error('project without a space');
      let added = 0;
      let removed = 0;
      if (add.length > 0) {
        // People may be added before they ever used the bot: their user row is made now.
        const rows = await tx
          .insert(users)
          .values(add.map((externalId) => ({ spaceId: project.spaceId, platform: space.platform, externalId })))
          .onConflictDoUpdate({ target: [users.spaceId, users.platform, users.externalId], set: { platform: sql`excluded.platform` } })
          .returning({ id: users.id });
        const inserted = await tx
          .insert(projectMembers)
          .values(rows.map((r) => ({ projectId: project.id, userId: r.id })))
          .onConflictDoNothing()
          .returning({ userId: projectMembers.userId });
        added = inserted.length;
      }
      if (remove.length > 0) {
        const ids = tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.spaceId, project.spaceId), eq(users.platform, space.platform), inArray(users.externalId, [...remove])));
        const deleted = await tx
          .delete(projectMembers)
          .where(and(eq(projectMembers.projectId, project.id), inArray(projectMembers.userId, ids)))
          .returning({ userId: projectMembers.userId });
        removed = deleted.length;
      }
      await writeAudit(tx, audit);
      return { added, removed };
    });
  }

  async movableJob(jobId: string): Promise<MovableJob | null> {
    if (!isUuid(jobId)) return null;
    const [job] = await this.db
      .select({ id: jobs.id, spaceId: jobs.spaceId, projectId: jobs.projectId, projectSlug: projects.slug, userId: jobs.userId, status: jobs.status })
      .from(jobs)
      .innerJoin(projects, eq(projects.id, jobs.projectId))
      .where(eq(jobs.id, jobId));
    if (!job) return null;
    const files = await this.db
      .select({ id: assets.id, storageKey: assets.storageKey, deletedAt: assets.deletedAt })
      .from(assets)
      .where(eq(assets.jobId, jobId));
    return { ...job, assets: files.map((f) => ({ id: f.id, storageKey: f.storageKey, deleted: f.deletedAt !== null })) };
  }

  async moveJobRecords(jobId: string, fromProjectId: string, toProjectId: string, keys: ReadonlyMap<string, string>, audit: AuditNote): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const moved = await tx
        .update(jobs)
        .set({ projectId: toProjectId, updatedAt: new Date() })
        .where(and(eq(jobs.id, jobId), eq(jobs.projectId, fromProjectId)))
        .returning({ id: jobs.id });
      if (moved.length === 0) return false;
      for (const [assetId, storageKey] of keys) {
        // Every row naming the moved file follows it (a reused job shares its twin's files); only
        // this job's rows change project. Rows of a reuse committed meanwhile are matched by key too.
        await tx.execute(sql`
          UPDATE ${assets} SET storage_key = ${storageKey},
            project_id = CASE WHEN job_id = ${jobId} THEN ${toProjectId}::uuid ELSE project_id END
          WHERE storage_key = (SELECT storage_key FROM ${assets} WHERE id = ${assetId} AND job_id = ${jobId})`);
      }
      await writeAudit(tx, audit);
      return true;
    });
  }
}
