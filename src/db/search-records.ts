import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { SearchTerm, SearchText } from '../core/gallery/search-text.js';
import type { GalleryItem, GalleryRecords, ImageDetail, ImageOutput, Keyset, SearchFilter } from '../core/gallery/types.js';
import type { Database } from './client.js';
import { groupOutputs } from '../core/outputs.js';
import type { AssetRecord } from '../core/records.js';
import { isUuid } from '../core/ids.js';
import { jobAssets } from './records.js';
import { assets, characters, jobs, users } from './schema.js';

interface ItemRow extends Record<string, unknown> {
  id: string;
  project_id: string;
  slug: string;
  project_name: string;
  prompt_sent: string;
  kind: string;
  created_at: Date | string;
  micros: string;
  count: number;
  external_id: string;
  display_name: string;
  original_id: string;
  thumb_id: string | null;
  width: number;
  height: number;
  character_names: string;
}

/**
 * One grid query for every list (project page, search, history, character page): finished jobs,
 * newest first by (created_at, id) with a keyset instead of OFFSET, each joined to its first
 * remaining output and thumbnail through the unique (job, output, variant) index. The LIMIT stops
 * the scan early, so a page costs the same on the first page and the thousandth.
 */
function gridQuery(conditions: SQL[], after: Keyset | null, limit: number): SQL {
  const where = [sql`j.status = 'completed'`, ...conditions];
  if (after) {
    // Exact microseconds: whole seconds and the remainder as separate intervals, no float rounding.
    const micros = BigInt(after.micros);
    const at = sql`(timestamptz 'epoch' + ${String(micros / 1_000_000n)}::bigint * interval '1 second' + ${String(micros % 1_000_000n)}::bigint * interval '1 microsecond')`;
    where.push(sql`(j.created_at, j.id) < (${at}, ${after.id}::uuid)`);
  }
  return sql`
    select j.id, j.project_id, p.slug, p.name as project_name, j.prompt_sent, j.kind, j.created_at,
           (extract(epoch from j.created_at) * 1000000)::bigint::text as micros, j.count, j.character_names,
           u.external_id, u.display_name, a.original_id, a.thumb_id, a.width, a.height
    from jobs j
    join lateral (
      select o.id as original_id, o.width, o.height,
             (select t.id from assets t where t.job_id = o.job_id and t.output_index = o.output_index and t.variant = 'thumbnail' and t.deleted_at is null) as thumb_id
      from assets o
      where o.job_id = j.id and o.variant = 'original' and o.deleted_at is null
      order by o.output_index
      limit 1
    ) a on true
    join projects p on p.id = j.project_id
    join users u on u.id = j.user_id
    where ${sql.join(where, sql` and `)}
    order by j.created_at desc, j.id desc
    limit ${limit}`;
}

function toItem(r: ItemRow): GalleryItem {
  return {
    jobId: r.id,
    projectId: r.project_id,
    projectSlug: r.slug,
    projectName: r.project_name,
    prompt: r.prompt_sent,
    kind: r.kind === 'video' ? 'video' : 'image',
    createdAt: new Date(r.created_at),
    outputs: Number(r.count),
    author: { externalId: r.external_id, displayName: r.display_name },
    thumbnailAssetId: r.thumb_id ?? r.original_id,
    originalAssetId: r.original_id,
    width: Number(r.width),
    height: Number(r.height),
    characterNames: r.character_names ? r.character_names.split('\n') : [],
    position: { micros: r.micros, id: r.id },
  };
}

/**
 * One word as a tsquery: itself as a prefix (blossom finds blossoms) or its English stem as a
 * prefix (cats finds cat). The vector is 'simple' (no stemming, no stop words) and cannot change
 * without a migration, so the stemming happens on the query side. Words hold only letters, digits
 * and marks (parseSearchText), each is a bound parameter, and ':*' is the only syntax added, so
 * nothing typed can act as a tsquery operator.
 */
function wordQuery(word: string): SQL {
  return sql`(to_tsquery('simple', ${word} || ':*') || to_tsquery('simple', coalesce((ts_lexize('english_stem', ${word}))[1], ${word}) || ':*'))`;
}

function termQuery(term: SearchTerm): SQL {
  const phrase = term.words.map(wordQuery).reduce((left, right) => sql`tsquery_phrase(${left}, ${right})`);
  return term.negated ? sql`!!${phrase}` : phrase;
}

/** OR of AND-groups, built from tsquery functions and operators, never from text. */
function textQuery(text: SearchText): SQL {
  return sql.join(text.map((group) => sql`(${sql.join(group.map(termQuery), sql` && `)})`), sql` || `);
}

export class PostgresGalleryRecords implements GalleryRecords {
  constructor(private readonly db: Database) {}

  async projectPage(projectId: string, after: Keyset | null, limit: number): Promise<GalleryItem[]> {
    const result = await this.db.execute<ItemRow>(gridQuery([sql`j.project_id = ${projectId}::uuid`], after, limit));
    return result.rows.map(toItem);
  }

  async search(spaceId: string, filter: SearchFilter, after: Keyset | null, limit: number): Promise<GalleryItem[]> {
    const conditions = [sql`j.space_id = ${spaceId}::uuid`];
    if (filter.projectIds) {
      if (filter.projectIds.length === 0) return [];
      conditions.push(sql`j.project_id = any(${`{${filter.projectIds.join(',')}}`}::uuid[])`);
    }
    if (filter.text) conditions.push(sql`j.search_vector @@ (${textQuery(filter.text)})`);
    if (filter.characterId) conditions.push(sql`j.character_ids @> ${JSON.stringify([filter.characterId])}::jsonb`);
    if (filter.user) conditions.push(sql`j.user_id in (select id from users where external_id = ${filter.user})`);
    if (filter.from) conditions.push(sql`j.created_at >= ${filter.from.toISOString()}::timestamptz`);
    if (filter.to) conditions.push(sql`j.created_at < ${filter.to.toISOString()}::timestamptz`);
    if (filter.kind) conditions.push(sql`j.kind = ${filter.kind}`);
    if (filter.model) conditions.push(sql`j.model = ${filter.model}`);
    const result = await this.db.execute<ItemRow>(gridQuery(conditions, after, limit));
    return result.rows.map(toItem);
  }

  async imageDetail(jobId: string): Promise<ImageDetail | null> {
    if (!isUuid(jobId)) return null;
    const [row] = await this.db
      .select({ job: jobs, externalId: users.externalId, displayName: users.displayName })
      .from(jobs)
      .innerJoin(users, eq(users.id, jobs.userId))
      .where(eq(jobs.id, jobId));
    if (!row) return null;
    const { job } = row;
    const files = await jobAssets(this.db, jobId);
    const ids = job.characterIds.filter(isUuid);
    const existing = ids.length > 0 ? await this.db.select({ id: characters.id }).from(characters).where(inArray(characters.id, ids)) : [];
    const alive = new Set(existing.map((c) => c.id));
    const names = job.characterNames ? job.characterNames.split('\n') : [];
    const ref = (a: AssetRecord) => ({ id: a.id, mime: a.mime, width: a.width, height: a.height, bytes: a.bytes });
    const outputs: ImageOutput[] = groupOutputs(files).map(({ index, original, webp, thumbnail }) => ({
      index,
      original: ref(original),
      webp: webp ? ref(webp) : null,
      thumbnail: thumbnail ? ref(thumbnail) : null,
    }));
    return {
      jobId: job.id,
      spaceId: job.spaceId,
      projectId: job.projectId,
      kind: job.kind === 'video' ? 'video' : 'image',
      status: job.status as ImageDetail['status'],
      promptSent: job.promptSent,
      negativeSent: job.negativeSent,
      seed: job.seed,
      width: job.width,
      height: job.height,
      steps: job.steps,
      backend: job.backend,
      model: job.model,
      modelName: job.modelName,
      loras: job.loras,
      characters: names.map((name, i) => ({ id: ids[i] && alive.has(ids[i]) ? ids[i] : null, name })),
      author: { externalId: row.externalId, displayName: row.displayName },
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      outputs,
      family: await familyOf(this.db, job),
    };
  }
}

/** Children the image page shows at most. */
const MAX_FAMILY_CHILDREN = 24;

/** The finished parent and children of `job` in its own project, each with its first output's thumbnail. */
async function familyOf(db: Database, job: typeof jobs.$inferSelect): Promise<ImageDetail['family']> {
  const sameProjectDone = and(eq(jobs.projectId, job.projectId), eq(jobs.status, 'completed'));
  const [parent] = job.parentJobId ? await db.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.id, job.parentJobId), sameProjectDone)) : [];
  const children = await db
    .select({ id: jobs.id, relation: jobs.parentRelation, output: jobs.parentOutput })
    .from(jobs)
    .where(and(eq(jobs.parentJobId, job.id), sameProjectDone))
    .orderBy(asc(jobs.createdAt))
    .limit(MAX_FAMILY_CHILDREN);
  const ids = [...(parent ? [parent.id] : []), ...children.map((c) => c.id)];
  const thumbs = ids.length === 0
    ? []
    : await db
        .select()
        .from(assets)
        .where(and(inArray(assets.jobId, ids), eq(assets.variant, 'thumbnail'), eq(assets.outputIndex, 0), isNull(assets.deletedAt)));
  const thumbOf = (id: string) => {
    const t = thumbs.find((a) => a.jobId === id);
    return t ? { id: t.id, mime: t.mime, width: t.width, height: t.height, bytes: t.bytes } : null;
  };
  return {
    parent: parent ? { jobId: parent.id, relation: job.parentRelation ?? 'reroll', output: job.parentOutput, thumbnail: thumbOf(parent.id) } : null,
    children: children.map((c) => ({ jobId: c.id, relation: c.relation ?? 'reroll', output: c.output, thumbnail: thumbOf(c.id) })),
  };
}
