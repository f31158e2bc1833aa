import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { jobs, projects, spaces, users } from './schema.js';

const p = sql.placeholder;

/**
 * The statements every job runs, built once and prepared on the server under a fixed name: the
 * query text is not rebuilt per call, and Postgres plans each once per connection. Times inside
 * them are `now()` on the server, never a value frozen when the statement was built.
 */
export function prepareHotStatements(db: Database) {
  return {
    spaceSettings: db.select({ settings: spaces.settings }).from(spaces).where(eq(spaces.id, p('spaceId'))).prepare('ap_space_settings'),

    insertJob: db
      .insert(jobs)
      .values({
        id: p('id'),
        spaceId: p('spaceId'),
        projectId: p('projectId'),
        userId: p('userId'),
        platform: p('platform'),
        kind: p('kind'),
        request: p('request'),
        promptSent: p('promptSent'),
        negativeSent: p('negativeSent'),
        seed: p('seed'),
        width: p('width'),
        height: p('height'),
        steps: p('steps'),
        count: p('count'),
        priority: p('priority'),
        // Bound as JSON text or NULL by the caller: the jsonb encoder would turn null into JSON 'null'.
        reply: sql`${p('replyJson')}::jsonb`,
        characterIds: p('characterIds'),
        characterNames: p('characterNames'),
        loras: p('loras'),
        model: p('model'),
        modelName: p('modelName'),
        recipeKey: p('recipeKey'),
        templateVersion: p('templateVersion'),
        reusedFrom: p('reusedFrom'),
        alwaysRender: p('alwaysRender'),
        referenceStrength: p('referenceStrength'),
        parentJobId: p('parentJobId'),
        parentOutput: p('parentOutput'),
        parentRelation: p('parentRelation'),
      })
      // The only unique index a fresh random id can meet is jobs_recipe_inflight: an identical
      // recipe already rendering in the project. No row back tells the caller to wait on that one.
      .onConflictDoNothing()
      .returning()
      .prepare('ap_job_insert'),

    /** Jobs ahead in the queue's own order: lower priority number first, then older first. */
    jobsAhead: db
      .select({ n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(
        and(
          eq(jobs.status, 'queued'),
          // Jobs waiting on a twin's render are not in the queue.
          isNull(jobs.reusedFrom),
          or(lt(jobs.priority, p('priority')), and(eq(jobs.priority, p('priority')), lt(jobs.createdAt, p('createdAt')))),
        ),
      )
      .prepare('ap_jobs_ahead'),

    claim: db
      .update(jobs)
      .set({
        status: 'running',
        stage: sql`${p('stage')}`,
        progress: 0,
        backend: sql`${p('backend')}`,
        attempts: sql`${p('attempt')}`,
        startedAt: sql`coalesce(${jobs.startedAt}, now())`,
        updatedAt: sql`now()`,
        errorCode: null,
        errorDetails: null,
        errorAdminText: null,
      })
      // UPDATE ... FROM may not join on the updated table, so both go in FROM and meet in WHERE.
      // `prior` is read from the snapshot before the update: 'running' there means the last attempt
      // never ended (its worker stopped), which the worker announces as a retry.
      .from(sql`${projects}, ${users}, (SELECT status AS previous_status FROM jobs AS before WHERE before.id = ${p('id')}) AS prior`)
      // A job waiting on a twin is completed with the twin, never rendered by a worker.
      .where(and(eq(jobs.id, p('id')), inArray(jobs.status, ['queued', 'running']), isNull(jobs.reusedFrom), eq(projects.id, jobs.projectId), eq(users.id, jobs.userId)))
      .returning({ job: jobs, slug: projects.slug, userExternalId: users.externalId, previousStatus: sql<string>`prior.previous_status` })
      .prepare('ap_job_claim'),
  };
}

export type HotStatements = ReturnType<typeof prepareHotStatements>;
