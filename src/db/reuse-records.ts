import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { AssetRecord, JobRecord, NewJob } from '../core/records.js';
import type { ReuseRecords, Twin } from '../core/recipes/reuse.js';
import { isVisibility } from '../core/projects/types.js';
import type { Database } from './client.js';
import { memberOf } from './membership.js';
import { INPUT_VARIANT, inputRow, toAssetRecord, toJobRecord, writeAudit, type Transaction } from './records.js';
import { assets, jobs, projects, users } from './schema.js';

/** How many twins are weighed per request: the newest few are plenty, and the read stays one index range. */
const TWIN_CANDIDATES = 5;

type Context = { projectSlug: string; userExternalId: string };

/** The rows reuse reads and writes: finished and rendering twins, reused records, jobs waiting on a twin. */
export class PostgresReuseRecords implements ReuseRecords {
  constructor(private readonly db: Database) {}

  async finishedTwins(spaceId: string, recipeKey: string, since: Date, viewerUserId: string): Promise<Twin[]> {
    return this.twins(viewerUserId, [
      eq(jobs.spaceId, spaceId),
      eq(jobs.recipeKey, recipeKey),
      eq(jobs.status, 'completed'),
      isNotNull(jobs.recipeKey),
      gte(jobs.finishedAt, since),
      sql`exists (select 1 from ${assets} where ${assets.jobId} = ${jobs.id} and ${assets.deletedAt} is null)`,
    ], 'newest');
  }

  async renderingTwins(spaceId: string, recipeKey: string, viewerUserId: string): Promise<Twin[]> {
    return this.twins(viewerUserId, [
      eq(jobs.spaceId, spaceId),
      eq(jobs.recipeKey, recipeKey),
      inArray(jobs.status, ['queued', 'running']),
      isNull(jobs.reusedFrom),
      eq(jobs.alwaysRender, false),
    ], 'oldest');
  }

  private async twins(viewerUserId: string, where: ReturnType<typeof eq>[], order: 'newest' | 'oldest'): Promise<Twin[]> {
    const rows = await this.db
      .select({
        job: jobs,
        userExternalId: users.externalId,
        project: { id: projects.id, slug: projects.slug, name: projects.name, spaceId: projects.spaceId, visibility: projects.visibility, isMember: memberOf(viewerUserId) },
      })
      .from(jobs)
      .innerJoin(projects, eq(projects.id, jobs.projectId))
      .innerJoin(users, eq(users.id, jobs.userId))
      .where(and(...where))
      .orderBy(order === 'newest' ? desc(jobs.finishedAt) : asc(jobs.createdAt))
      .limit(TWIN_CANDIDATES);
    return rows.map((r) => ({
      job: toJobRecord(r.job, r.project.slug, r.userExternalId),
      // An unknown visibility is treated as the most restrictive one.
      project: { ...r.project, visibility: isVisibility(r.project.visibility) ? r.project.visibility : 'private' },
    }));
  }

  async recordReused(job: NewJob, twinId: string, context: Context): Promise<{ job: JobRecord; assets: AssetRecord[] } | null> {
    return this.db.transaction(async (tx) => {
      // Shared locks on the twin's kept rows: a delete of the twin waits for this record (and then
      // keeps the files it names), or went first and left nothing to lock (then we render).
      const files = await keptOutputs(tx, twinId);
      const [twin] = await tx.select({ backend: jobs.backend }).from(jobs).where(and(eq(jobs.id, twinId), eq(jobs.status, 'completed')));
      if (files.length === 0 || !twin) return null;
      const [row] = await tx
        .insert(jobs)
        .values({
          ...jobValues(job),
          status: 'completed',
          stage: 'done',
          progress: 100,
          backend: twin.backend,
          reusedFrom: twinId,
          startedAt: sql`now()`,
          finishedAt: sql`now()`,
        })
        .returning();
      if (!row) throw new Error('reused job insert returned no row');
      await insertInputs(tx, job);
      const copies = await shareFiles(tx, files, row);
      await writeAudit(tx, { spaceId: row.spaceId, actorUserId: row.userId, action: 'job.reused', target: row.id, details: { twin: twinId, files: copies.length } });
      return { job: toJobRecord(row, context.projectSlug, context.userExternalId), assets: copies };
    });
  }

  /**
   * Records `job` as waiting on a twin that is still rendering. The twin's row is locked (shared)
   * while its state is checked, so its completion either commits after this job exists (and then
   * completes it too) or has already committed (null: the caller answers from the finished twin).
   */
  async recordWaiting(job: NewJob, twinId: string, context: Context): Promise<JobRecord | null> {
    return this.db.transaction(async (tx) => {
      const [twin] = await tx.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, twinId)).for('share');
      if (!twin || (twin.status !== 'queued' && twin.status !== 'running')) return null;
      const [row] = await tx.insert(jobs).values({ ...jobValues(job), reusedFrom: twinId, stage: 'waiting' }).returning();
      if (!row) throw new Error('waiting job insert returned no row');
      // Its own copies: promoted to render (the twin failed or was cancelled) it sends them itself.
      await insertInputs(tx, job);
      return toJobRecord(row, context.projectSlug, context.userExternalId);
    });
  }

  /**
   * Completes every job waiting on `twinId` (completed) with rows naming its files. Returns each
   * completed job with its rows, for the announcements.
   */
  async completeWaiting(twinId: string): Promise<Array<{ jobId: string; userId: string; seed: number; backend: string; assets: AssetRecord[] }>> {
    // Most renders have nobody waiting: one index probe (jobs_waiting_on) instead of a transaction.
    const [anyone] = await this.db.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.reusedFrom, twinId), eq(jobs.status, 'queued'))).limit(1);
    if (!anyone) return [];
    return this.db.transaction(async (tx) => {
      const files = await keptOutputs(tx, twinId);
      const [twin] = await tx.select({ backend: jobs.backend }).from(jobs).where(and(eq(jobs.id, twinId), eq(jobs.status, 'completed')));
      if (!twin || files.length === 0) return [];
      const done = await tx
        .update(jobs)
        .set({ status: 'completed', stage: 'done', progress: 100, backend: twin.backend, startedAt: sql`coalesce(${jobs.startedAt}, now())`, finishedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(jobs.reusedFrom, twinId), eq(jobs.status, 'queued')))
        .returning();
      const out = [];
      for (const row of done) {
        const copies = await shareFiles(tx, files, row);
        await writeAudit(tx, { spaceId: row.spaceId, actorUserId: row.userId, action: 'job.reused', target: row.id, details: { twin: twinId, files: copies.length, waited: true } });
        out.push({ jobId: row.id, userId: row.userId, seed: row.seed, backend: twin.backend ?? 'unknown', assets: copies });
      }
      return out;
    });
  }

  async promoteWaiting(twinId: string): Promise<{ id: string; priority: number } | null> {
    return this.db.transaction(async (tx) => {
      const waiting = await tx
        .select({ id: jobs.id, priority: jobs.priority })
        .from(jobs)
        .where(and(eq(jobs.reusedFrom, twinId), eq(jobs.status, 'queued')))
        .orderBy(asc(jobs.createdAt), asc(jobs.id))
        .for('update');
      const [first, ...rest] = waiting;
      if (!first) return null;
      // always_render: its project may hold another render of the recipe by now (the one-in-flight
      // index would refuse it); the others wait on this one by name.
      await tx.update(jobs).set({ reusedFrom: null, alwaysRender: true, stage: 'queued', updatedAt: sql`now()` }).where(eq(jobs.id, first.id));
      if (rest.length > 0) await tx.update(jobs).set({ reusedFrom: first.id, updatedAt: sql`now()` }).where(inArray(jobs.id, rest.map((r) => r.id)));
      return first;
    });
  }

  /** Twins of waiting jobs that have ended (a crash between a twin's end and its waiters' settling). */
  async strandedTwins(limit = 100): Promise<Array<{ twinId: string; status: string }>> {
    const rows = await this.db.execute<{ twin_id: string; status: string }>(sql`
      SELECT DISTINCT t.id AS twin_id, t.status FROM ${jobs} w JOIN ${jobs} t ON t.id = w.reused_from
      WHERE w.reused_from IS NOT NULL AND w.status = 'queued' AND t.status IN ('completed', 'failed', 'cancelled')
      LIMIT ${limit}`);
    return rows.rows.map((r) => ({ twinId: r.twin_id, status: r.status }));
  }
}

function jobValues(job: NewJob) {
  return {
    id: job.id,
    spaceId: job.spaceId,
    projectId: job.projectId,
    userId: job.userId,
    platform: job.platform,
    kind: job.kind,
    request: job.request,
    promptSent: job.promptSent,
    negativeSent: job.negativeSent,
    seed: job.seed,
    width: job.width,
    height: job.height,
    steps: job.steps,
    count: job.count,
    priority: job.priority,
    // Bound as JSON text or NULL: the jsonb encoder would turn null into JSON 'null'.
    reply: job.reply === undefined || job.reply === null ? sql`NULL` : sql`${JSON.stringify(job.reply)}::jsonb`,
    characterIds: job.characterIds ?? [],
    characterNames: (job.characterNames ?? []).join('\n'),
    loras: job.loras ?? [],
    model: job.model ?? '',
    modelName: job.modelName ?? '',
    referenceStrength: job.referenceStrength ?? null,
    recipeKey: job.recipeKey ?? null,
    templateVersion: job.templateVersion ?? '',
    alwaysRender: job.alwaysRender ?? false,
  };
}

/**
 * The twin's kept outputs, locked (shared) so its delete waits for the new rows. Its `input` rows
 * are not shared: each record has its own copies of the pictures, made before it was recorded.
 */
async function keptOutputs(tx: Transaction, twinId: string) {
  return tx
    .select()
    .from(assets)
    .where(and(eq(assets.jobId, twinId), isNull(assets.deletedAt), ne(assets.variant, INPUT_VARIANT)))
    .orderBy(asc(assets.id))
    .for('share');
}

async function insertInputs(tx: Transaction, job: NewJob): Promise<void> {
  const inputs = job.inputs ?? [];
  if (inputs.length > 0) await tx.insert(assets).values(inputs.map((input) => inputRow(job, input)));
}

/** New rows for `job` naming the same stored files (same keys, hashes and sizes): no bytes are copied. */
async function shareFiles(tx: Transaction, files: Array<typeof assets.$inferSelect>, job: { id: string; projectId: string; spaceId: string }): Promise<AssetRecord[]> {
  const rows = await tx
    .insert(assets)
    .values(files.map((f) => ({
      jobId: job.id,
      projectId: job.projectId,
      spaceId: job.spaceId,
      outputIndex: f.outputIndex,
      variant: f.variant,
      kind: f.kind,
      mime: f.mime,
      width: f.width,
      height: f.height,
      bytes: f.bytes,
      sha256: f.sha256,
      storageKey: f.storageKey,
      qualityScore: f.qualityScore,
    })))
    .onConflictDoNothing()
    .returning();
  return rows.map(toAssetRecord);
}
