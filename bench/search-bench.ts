import { buildWeb } from '../src/app/web-part.js';
import type { Actor } from '../src/core/actor.js';
import { benchEnvironment, type BenchEnvironment } from './environment.js';
import { summarize } from './stats.js';

/**
 * Search and gallery at scale: 200,000 finished images (one job and three asset rows each: original,
 * WebP, thumbnail), generated in SQL with generate_series in a throwaway database. Measures the
 * newest-50 search of a term through GalleryService.search (visibility, query, mapping), a gallery
 * project page through the real HTTP route (fastify inject: routing, cookie, query, HTML), and, as
 * the baseline, a primary-key lookup of one job on the same database. Prints nothing itself.
 */
export const ROWS = Number(process.env.BENCH_SEARCH_ROWS ?? 200_000);
const SAMPLES = Number(process.env.BENCH_SEARCH_SAMPLES ?? 300);
/** From very common to rare, so both plans (walk the date index, or read the GIN index) are measured. */
export const TERMS = ['girl', 'sea', 'dragon night', 'silver hair', 'aiko', 'unicorn'];

export interface SearchFigures {
  searchP50: number;
  searchP95: number;
  galleryP50: number;
  galleryP95: number;
  rows: number;
  baselineP50: number;
}

const ACTOR: Actor = { platform: 'web', spaceExternalId: 'bench', userExternalId: 'bench-mod', platformRoles: [], isPlatformAdmin: false, grantedRole: 'moderator' };

/** Fills the bench database; returns the space id. Words cycle at co-prime periods so terms mix. */
export async function seedSearchRows(env: BenchEnvironment, rows = ROWS): Promise<{ spaceId: string; slug: string }> {
  const { runtime } = env;
  const viewer = await runtime.service.identify(ACTOR);
  for (const name of ['Festival', 'Beach Episode', 'Night Shift', 'Archive 2024']) {
    const created = await runtime.projects.create(viewer, { name });
    if (!created.ok) throw new Error(JSON.stringify(created));
  }
  const pool = runtime.database.pool;
  const spaceId = viewer.identity.spaceId;
  await pool.query(`insert into users (space_id, platform, external_id, display_name) select $1, 'web', 'user-' || g, 'User ' || g from generate_series(0, 19) g`, [spaceId]);
  await pool.query(
    `insert into jobs (space_id, project_id, user_id, platform, kind, request, prompt_sent, negative_sent, seed, width, height, steps, count,
                       status, stage, progress, backend, character_names, character_ids, created_at, finished_at)
     select $1, p.ids[1 + g % array_length(p.ids, 1)], u.ids[1 + g % array_length(u.ids, 1)], 'web',
            case when g % 20 = 0 then 'video' else 'image' end, '{}'::jsonb,
            (array['a girl','a boy','a cat','a dragon','a robot','two girls','a knight'])[1 + g % 7] || ' with ' ||
            (array['silver','pink','black','blonde','blue','red','green','purple','white','brown','orange'])[1 + g % 11] || ' hair ' ||
            (array['by the sea','in the city','in a forest','on a mountain','under cherry blossoms','in the rain','in the snow','at a festival','in a cafe','on a rooftop','in space','at school','in a garden'])[1 + g % 13] || ' at ' ||
            (array['sunset','night','dawn','noon','dusk'])[1 + g % 5] ||
            case when g % 1000 = 0 then ', riding a unicorn' else '' end,
            'lowres', g, 512, 512, 20, 1, 'completed', 'done', 100, 'builtin',
            case when g % 17 = 0 then 'Aiko' else '' end, '[]'::jsonb,
            now() - g * interval '13 seconds', now() - g * interval '13 seconds'
     from generate_series(1, $2::int) g,
          (select array_agg(id order by slug) ids from projects where space_id = $1) p,
          (select array_agg(id order by external_id) ids from users where space_id = $1 and platform = 'web') u`,
    [spaceId, rows],
  );
  await pool.query(
    `insert into assets (job_id, project_id, space_id, output_index, variant, kind, mime, width, height, bytes, sha256, storage_key, created_at)
     select j.id, j.project_id, j.space_id, 0, v.variant, j.kind, v.mime, v.side, v.side, v.bytes, md5(j.id::text || v.variant),
            'bench/' || to_char(j.created_at, 'YYYY-MM-DD') || '/' || j.id || v.suffix, j.created_at
     from jobs j cross join (values ('original', 'image/png', 512, 400000, '-0.png'), ('webp', 'image/webp', 512, 60000, '-0.webp'),
                                    ('thumbnail', 'image/webp', 256, 12000, '-0.thumb.webp')) v(variant, mime, side, bytes, suffix)
     where j.space_id = $1`,
    [spaceId],
  );
  await pool.query('analyze jobs; analyze assets; analyze projects; analyze users');
  return { spaceId, slug: 'festival' };
}

async function timed(samples: number, run: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 30; i++) await run(i);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await run(i);
    out.push(performance.now() - started);
  }
  return out;
}

export async function benchSearch(): Promise<SearchFigures> {
  const env = await benchEnvironment();
  const { runtime } = env;
  const web = await buildWeb(runtime);
  try {
    const { spaceId, slug } = await seedSearchRows(env);
    const viewer = await runtime.service.identify(ACTOR);

    const search = await timed(SAMPLES, async (i) => {
      const term = TERMS[i % TERMS.length]!;
      const result = await runtime.gallery.search(viewer, { text: term });
      if (!result.ok || result.value.items.length === 0) throw new Error(`bench search found nothing for ${term}`);
    });

    // Half first pages, half a page deep in the project (keyset: the same cost by design).
    const deep = await runtime.gallery.search(viewer, { project: slug, to: new Date(Date.now() - 15 * 86_400_000) }, undefined, 1);
    const deepItem = deep.ok ? deep.value.items[0] : undefined;
    const deepCursor = deepItem ? `${deepItem.position.micros}_${deepItem.position.id}` : undefined;
    const cookie = `ap_gallery=${runtime.galleryLinks.sign({ spaceId, userId: viewer.identity.userId, role: 'moderator', expires: Math.floor(Date.now() / 1000) + 3600 })}`;
    const gallery = await timed(SAMPLES, async (i) => {
      const cursor = i % 2 === 1 && deepCursor ? `?cursor=${deepCursor}` : '';
      const response = await web.inject({ method: 'GET', url: `/gallery/${spaceId}/p/${slug}${cursor}`, headers: { cookie } });
      if (response.statusCode !== 200 || !response.body.includes('class="tile"')) throw new Error(`bench gallery page answered ${response.statusCode}`);
    });

    const ids = (await runtime.database.pool.query<{ id: string }>('select id from jobs order by random() limit 200')).rows.map((r) => r.id);
    const baseline = await timed(SAMPLES, async (i) => {
      await runtime.database.pool.query('select * from jobs where id = $1', [ids[i % ids.length]]);
    });

    const s = summarize(search);
    const g = summarize(gallery);
    return { searchP50: s.p50, searchP95: s.p95, galleryP50: g.p50, galleryP95: g.p95, rows: ROWS, baselineP50: summarize(baseline).p50 };
  } finally {
    await web.close();
    await env.close();
  }
}
