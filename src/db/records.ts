import { and, asc, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Actor } from '../core/actor.js';
import { isUuid } from '../core/ids.js';
import { isVisibility } from '../core/projects/types.js';
import type { AssetRecord, AuditNote, FamilyRelation, GenerateRecords, Identity, JobInputRecord, JobRecord, NewJob, NewJobInput, ProjectForJob, ProjectRef } from '../core/records.js';
import type { Database } from './client.js';
import { prepareHotStatements, type HotStatements } from './hot-statements.js';
import { memberOf } from './membership.js';
import { assets, auditLog, channelProjects, jobs, projects, roleMappings, spaces, users } from './schema.js';

const DEFAULT_PROJECT_SLUG = 'general';
/** The asset variant of a job's copy of a reference picture. */
export const INPUT_VARIANT = 'input';

/** A job's reference pictures, in the order its backend receives them. */
export async function jobInputs(db: Database, jobId: string): Promise<JobInputRecord[]> {
  const rows = await db
    .select()
    .from(assets)
    .where(and(eq(assets.jobId, jobId), isNull(assets.deletedAt), eq(assets.variant, INPUT_VARIANT)))
    .orderBy(asc(assets.outputIndex));
  return rows.map((r) => ({
    id: r.id,
    jobId: r.jobId,
    index: r.outputIndex,
    uploadId: r.sourceUploadId,
    characterId: r.characterId,
    mime: r.mime,
    width: r.width,
    height: r.height,
    bytes: r.bytes,
    sha256: r.sha256,
    storageKey: r.storageKey,
  }));
}

/** The `input` asset row of a job's own copy of one of its pictures. */
export function inputRow(job: Pick<NewJob, 'id' | 'projectId' | 'spaceId'>, input: NewJobInput): typeof assets.$inferInsert {
  return {
    id: input.id,
    jobId: job.id,
    projectId: job.projectId,
    spaceId: job.spaceId,
    outputIndex: input.index,
    variant: INPUT_VARIANT,
    kind: 'image',
    mime: input.mime,
    width: input.width,
    height: input.height,
    bytes: input.bytes,
    sha256: input.sha256,
    storageKey: input.storageKey,
    sourceUploadId: input.uploadId,
    characterId: input.characterId,
  };
}

type JobRow = typeof jobs.$inferSelect;

export function toJobRecord(row: JobRow, projectSlug: string, userExternalId: string): JobRecord {
  return {
    id: row.id,
    spaceId: row.spaceId,
    projectId: row.projectId,
    projectSlug,
    userId: row.userId,
    userExternalId,
    platform: row.platform,
    kind: row.kind === 'video' ? 'video' : 'image',
    status: row.status as JobRecord['status'],
    progress: row.progress,
    stage: row.stage,
    promptSent: row.promptSent,
    negativeSent: row.negativeSent,
    seed: row.seed,
    width: row.width,
    height: row.height,
    steps: row.steps,
    count: row.count,
    priority: row.priority,
    attempts: row.attempts,
    backend: row.backend,
    errorCode: row.errorCode,
    errorDetails: row.errorDetails,
    errorAdminText: row.errorAdminText,
    errorRef: row.errorRef,
    reply: row.reply,
    request: row.request,
    characterIds: row.characterIds,
    loras: row.loras,
    model: row.model,
    modelName: row.modelName,
    characterNames: row.characterNames ? row.characterNames.split('\n') : [],
    recipeKey: row.recipeKey,
    templateVersion: row.templateVersion,
    reusedFrom: row.reusedFrom,
    alwaysRender: row.alwaysRender,
    referenceStrength: row.referenceStrength,
    qualityRetried: row.qualityRetried,
    qualityProblems: row.qualityProblems,
    parent: row.parentJobId ? { jobId: row.parentJobId, output: row.parentOutput, relation: relationOf(row.parentRelation) } : null,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

function relationOf(value: string | null): FamilyRelation {
  return value === 'variation' || value === 'upscale' ? value : 'reroll';
}

export function toAssetRecord(r: typeof assets.$inferSelect): AssetRecord {
  return {
    id: r.id,
    jobId: r.jobId,
    projectId: r.projectId,
    outputIndex: r.outputIndex,
    variant: r.variant as AssetRecord['variant'],
    kind: r.kind === 'video' ? 'video' : 'image',
    mime: r.mime,
    width: r.width,
    height: r.height,
    bytes: r.bytes,
    sha256: r.sha256,
    storageKey: r.storageKey,
    createdAt: r.createdAt,
  };
}

function forJob(row: Omit<ProjectForJob, 'visibility'> & { visibility: string }): ProjectForJob {
  // An unknown value is treated as the most restrictive one.
  return { ...row, visibility: isVisibility(row.visibility) ? row.visibility : 'private' };
}

/** A job's output files that are still kept, in output order (its `input` copies are jobInputs'). */
export async function jobAssets(db: Database, jobId: string): Promise<AssetRecord[]> {
  const rows = await db
    .select()
    .from(assets)
    .where(and(eq(assets.jobId, jobId), isNull(assets.deletedAt), ne(assets.variant, INPUT_VARIANT)))
    .orderBy(asc(assets.outputIndex), asc(assets.variant));
  return rows.map(toAssetRecord);
}


export class PostgresRecords implements GenerateRecords {
  /** Prepared once per process; the worker's store shares them. */
  readonly hot: HotStatements;

  constructor(private readonly db: Database) {
    this.hot = prepareHotStatements(db);
  }

  /**
   * Row ids never change once made, so each process remembers them: the hot path then reads only
   * what can change (the space's settings and role mapping), and writes nothing.
   */
  private readonly spaceIds = new Map<string, string>();
  private readonly userIds = new Map<string, string>();
  private readonly defaultProjects = new Map<string, ProjectRef>();

  async ensureIdentity(actor: Actor): Promise<Identity> {
    const spaceId = await this.spaceId(actor);
    const userId = await this.userId(actor, spaceId);
    const [space] = await this.hot.spaceSettings.execute({ spaceId });
    const mapping = new Map<string, string>();
    if (actor.platformRoles.length > 0) {
      const rows = await this.db
        .select({ platformRole: roleMappings.platformRole, role: roleMappings.role })
        .from(roleMappings)
        .where(and(eq(roleMappings.spaceId, spaceId), inArray(roleMappings.platformRole, [...actor.platformRoles])));
      for (const row of rows) mapping.set(row.platformRole, row.role);
    }
    return { spaceId, spaceSettings: space?.settings ?? {}, userId, roleMapping: mapping };
  }

  private async spaceId(actor: Actor): Promise<string> {
    const key = `${actor.platform}:${actor.spaceExternalId}`;
    const known = this.spaceIds.get(key);
    if (known) return known;
    const [row] = await this.db
      .insert(spaces)
      .values({ platform: actor.platform, externalId: actor.spaceExternalId, name: actor.spaceName ?? '' })
      .onConflictDoUpdate({
        target: [spaces.platform, spaces.externalId],
        // A no-op update so RETURNING yields the existing row; keeps the newest display name.
        set: { name: actor.spaceName ? actor.spaceName : sql`${spaces.name}` },
      })
      .returning({ id: spaces.id });
    if (!row) throw new Error('space upsert returned no row');
    this.spaceIds.set(key, row.id);
    return row.id;
  }

  /** The user row of this identity in this space: a name (or chat id) used in one space is not the one of another. */
  private async userId(actor: Actor, spaceId: string): Promise<string> {
    const key = `${spaceId}:${actor.platform}:${actor.userExternalId}`;
    const known = this.userIds.get(key);
    if (known) return known;
    const [row] = await this.db
      .insert(users)
      .values({ spaceId, platform: actor.platform, externalId: actor.userExternalId, displayName: actor.displayName ?? '' })
      .onConflictDoUpdate({
        target: [users.spaceId, users.platform, users.externalId],
        set: { displayName: actor.displayName ? actor.displayName : sql`${users.displayName}` },
      })
      .returning({ id: users.id });
    if (!row) throw new Error('user upsert returned no row');
    if (this.userIds.size > 100_000) this.userIds.clear();
    this.userIds.set(key, row.id);
    return row.id;
  }

  async resolveProject(spaceId: string, userId: string, slug: string | undefined, channelId: string | undefined): Promise<ProjectForJob | null> {
    const columns = { id: projects.id, slug: projects.slug, name: projects.name, spaceId: projects.spaceId, visibility: projects.visibility, isMember: memberOf(userId) };
    if (slug) {
      const [found] = await this.db
        .select(columns)
        .from(projects)
        .where(and(eq(projects.spaceId, spaceId), eq(projects.slug, slug), isNull(projects.archivedAt)));
      return found ? forJob(found) : null;
    }
    if (channelId) {
      const [bound] = await this.db
        .select(columns)
        .from(channelProjects)
        .innerJoin(projects, eq(projects.id, channelProjects.projectId))
        .where(and(eq(channelProjects.spaceId, spaceId), eq(channelProjects.channelId, channelId), isNull(projects.archivedAt)));
      if (bound) return forJob(bound);
    }
    // The default's id is remembered; its visibility can change, so it is read each time.
    const { id } = await this.defaultProject(spaceId);
    const [found] = await this.db.select(columns).from(projects).where(eq(projects.id, id));
    if (!found) throw new Error('default project missing');
    return forJob(found);
  }

  /** The space's default project, made on first use. */
  async defaultProject(spaceId: string): Promise<ProjectRef> {
    const known = this.defaultProjects.get(spaceId);
    if (known) return known;
    await this.db
      .insert(projects)
      .values({ spaceId, slug: DEFAULT_PROJECT_SLUG, name: 'General', isDefault: true })
      .onConflictDoNothing();
    const [found] = await this.db
      .select({ id: projects.id, slug: projects.slug, name: projects.name })
      .from(projects)
      .where(and(eq(projects.spaceId, spaceId), eq(projects.slug, DEFAULT_PROJECT_SLUG)));
    if (!found) throw new Error('default project missing after insert');
    this.defaultProjects.set(spaceId, found);
    return found;
  }

  async createJob(job: NewJob, context: { projectSlug: string; userExternalId: string }): Promise<JobRecord | null> {
    const { inputs = [], parent, ...fields } = job;
    const values = {
      ...fields,
      parentJobId: parent?.jobId ?? null,
      parentOutput: parent?.output ?? null,
      parentRelation: parent?.relation ?? null,
      referenceStrength: job.referenceStrength ?? null,
      replyJson: job.reply === undefined || job.reply === null ? null : JSON.stringify(job.reply),
      characterIds: job.characterIds ?? [],
      loras: job.loras ?? [],
      model: job.model ?? '',
      modelName: job.modelName ?? '',
      // Names one per line (a name cannot hold a newline): searchable text that splits back exactly.
      characterNames: (job.characterNames ?? []).join('\n'),
      recipeKey: job.recipeKey ?? null,
      templateVersion: job.templateVersion ?? '',
      reusedFrom: job.reusedFrom ?? null,
      alwaysRender: job.alwaysRender ?? false,
    };
    // A job with reference pictures commits with their rows, so no worker (nor the sweep) ever sees
    // it without them. Like the hot insert, losing the one-render-in-flight race inserts nothing.
    const [row] =
      inputs.length === 0
        ? await this.hot.insertJob.execute(values)
        : await this.db.transaction(async (tx) => {
            const { replyJson, ...columns } = values;
            const inserted = await tx.insert(jobs).values({ ...columns, reply: replyJson === null ? null : sql`${replyJson}::jsonb` }).onConflictDoNothing().returning();
            if (inserted.length > 0) await tx.insert(assets).values(inputs.map((input) => inputRow(job, input)));
            return inserted;
          });
    if (!row) return null;
    return toJobRecord(row, context.projectSlug, context.userExternalId);
  }

  async getJob(jobId: string): Promise<JobRecord | null> {
    if (!isUuid(jobId)) return null;
    const [row] = await this.db
      .select({ job: jobs, slug: projects.slug, userExternalId: users.externalId })
      .from(jobs)
      .innerJoin(projects, eq(projects.id, jobs.projectId))
      .innerJoin(users, eq(users.id, jobs.userId))
      .where(eq(jobs.id, jobId));
    return row ? toJobRecord(row.job, row.slug, row.userExternalId) : null;
  }

  async queuePosition(job: JobRecord): Promise<number> {
    if (job.status !== 'queued') return 0;
    const [row] = await this.hot.jobsAhead.execute({ priority: job.priority, createdAt: job.createdAt });
    return (row?.n ?? 0) + 1;
  }

  async cancelJob(jobId: string, audit: AuditNote): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated = await tx
        .update(jobs)
        .set({ status: 'cancelled', stage: 'cancelled', finishedAt: new Date(), updatedAt: new Date() })
        .where(and(eq(jobs.id, jobId), inArray(jobs.status, ['queued', 'running'])))
        .returning({ id: jobs.id });
      if (updated.length === 0) return false;
      await writeAudit(tx, audit);
      return true;
    });
  }

  listAssets(jobId: string): Promise<AssetRecord[]> {
    return jobAssets(this.db, jobId);
  }

  async listAssetsOf(jobIds: readonly string[]): Promise<Map<string, AssetRecord[]>> {
    const byJob = new Map<string, AssetRecord[]>(jobIds.map((id) => [id, []]));
    if (jobIds.length === 0) return byJob;
    const rows = await this.db
      .select()
      .from(assets)
      .where(and(inArray(assets.jobId, [...jobIds]), isNull(assets.deletedAt)))
      .orderBy(asc(assets.outputIndex), asc(assets.variant));
    for (const row of rows) byJob.get(row.jobId)?.push(toAssetRecord(row));
    return byJob;
  }

  listInputs(jobId: string): Promise<JobInputRecord[]> {
    return jobInputs(this.db, jobId);
  }

  async listJobs(query: { spaceId: string; userId?: string; statuses?: JobRecord['status'][]; limit: number; withoutDeleted?: boolean }): Promise<JobRecord[]> {
    const conditions = [eq(jobs.spaceId, query.spaceId)];
    if (query.userId) conditions.push(eq(jobs.userId, query.userId));
    if (query.statuses && query.statuses.length > 0) conditions.push(inArray(jobs.status, query.statuses));
    // Left out in the query, not after it, so the limit counts only jobs that still show something.
    if (query.withoutDeleted) {
      conditions.push(sql`NOT (${jobs.status} = 'completed' AND NOT EXISTS (SELECT 1 FROM ${assets} WHERE ${assets.jobId} = ${jobs.id} AND ${assets.variant} = 'original' AND ${assets.deletedAt} IS NULL))`);
    }
    const rows = await this.db
      .select({ job: jobs, slug: projects.slug, userExternalId: users.externalId })
      .from(jobs)
      .innerJoin(projects, eq(projects.id, jobs.projectId))
      .innerJoin(users, eq(users.id, jobs.userId))
      .where(and(...conditions))
      .orderBy(desc(jobs.createdAt))
      .limit(Math.min(Math.max(1, query.limit), 100));
    return rows.map((r) => toJobRecord(r.job, r.slug, r.userExternalId));
  }

  async listChildren(jobId: string, limit: number): Promise<JobRecord[]> {
    if (!isUuid(jobId)) return [];
    const rows = await this.db
      .select({ job: jobs, slug: projects.slug, userExternalId: users.externalId })
      .from(jobs)
      .innerJoin(projects, eq(projects.id, jobs.projectId))
      .innerJoin(users, eq(users.id, jobs.userId))
      .where(eq(jobs.parentJobId, jobId))
      .orderBy(asc(jobs.createdAt))
      .limit(Math.min(Math.max(1, limit), 100));
    return rows.map((r) => toJobRecord(r.job, r.slug, r.userExternalId));
  }

  /**
   * Marks a job's files deleted and returns the keys no other kept row still names (a reused job
   * shares its twin's files). Every row naming those keys is locked first, in id order, so two
   * deletes of records sharing a file cannot each see the other's row still kept and both leave
   * the file behind, and a reuse copying rows meanwhile either lands first or finds them gone.
   */
  async deleteAssets(jobId: string, audit: AuditNote): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const mine = await tx
        .select({ key: assets.storageKey })
        .from(assets)
        .where(and(eq(assets.jobId, jobId), isNull(assets.deletedAt)));
      const keys = [...new Set(mine.map((r) => r.key))];
      if (keys.length > 0) {
        await tx.select({ id: assets.id }).from(assets).where(inArray(assets.storageKey, keys)).orderBy(asc(assets.id)).for('update');
      }
      const rows = await tx
        .update(assets)
        .set({ deletedAt: new Date() })
        .where(and(eq(assets.jobId, jobId), isNull(assets.deletedAt)))
        .returning({ key: assets.storageKey });
      const deleted = [...new Set(rows.map((r) => r.key))];
      const stillUsed = deleted.length === 0
        ? new Set<string>()
        : new Set((await tx.selectDistinct({ key: assets.storageKey }).from(assets).where(and(inArray(assets.storageKey, deleted), isNull(assets.deletedAt)))).map((r) => r.key));
      await writeAudit(tx, { ...audit, details: { ...audit.details, files: rows.length, ...(stillUsed.size > 0 ? { kept_shared: stillUsed.size } : {}) } });
      return deleted.filter((key) => !stillUsed.has(key));
    });
  }

  async setReply(jobId: string, reply: unknown): Promise<void> {
    await this.db.update(jobs).set({ reply, updatedAt: new Date() }).where(eq(jobs.id, jobId));
  }

  async getAsset(assetId: string): Promise<AssetRecord | null> {
    if (!isUuid(assetId)) return null;
    const [row] = await this.db.select().from(assets).where(and(eq(assets.id, assetId), isNull(assets.deletedAt)));
    return row ? toAssetRecord(row) : null;
  }

  async audit(entry: AuditNote): Promise<void> {
    await writeAudit(this.db, entry);
  }
}

/** A transaction handle, as drizzle passes it to `db.transaction`. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Writes an audit row on the given handle: inside a change's transaction, it commits or rolls back with it. */
export async function writeAudit(db: Database | Transaction, entry: AuditNote): Promise<void> {
  await db.insert(auditLog).values({
    spaceId: entry.spaceId,
    actorUserId: entry.actorUserId,
    action: entry.action,
    target: entry.target ?? '',
    details: entry.details ?? {},
  });
}
