import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import { connectDatabase, migrateDatabase, MIGRATIONS_FOLDER, type DatabaseHandle } from '../../src/db/client.js';
import { PostgresRecords } from '../../src/db/records.js';
import { ADMIN_URL, databaseUrl } from '../support/env.js';
import { uniqueName } from '../support/isolation.js';

/**
 * Migration 0003 on a database shaped as before it: one "aiko" (web) row used in two spaces. After it,
 * each space has its own aiko, the first space keeps the original id, and every reference in the
 * second space points at the second space's row.
 */
let name = '';
let handle: DatabaseHandle;
let folder = '';
const q = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => handle.pool.query<T>(text, values).then((r) => r.rows);

beforeAll(async () => {
  name = uniqueName(`ap_test_${inject('testRunId')}`);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  handle = connectDatabase(databaseUrl(name), 2);
  // The migrations as they were before 0003.
  folder = await mkdtemp(join(tmpdir(), 'ap-migrations-'));
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  journal.entries = journal.entries.filter((e) => e.tag < '0003');
  await writeFile(journalPath, JSON.stringify(journal));
  await migrate(handle.db, { migrationsFolder: folder });
});
afterAll(async () => {
  await handle?.close();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await rm(folder, { recursive: true, force: true });
});

test('a user row used in two spaces becomes one per space; references follow their space', async () => {
  const [web] = await q<{ id: string }>(`insert into spaces (platform, external_id, created_at) values ('web', 'web', now() - interval '2 days') returning id`);
  const [other] = await q<{ id: string }>(`insert into spaces (platform, external_id) values ('web', 'other') returning id`);
  const [aiko] = await q<{ id: string }>(`insert into users (platform, external_id, display_name) values ('web', 'aiko', 'Aiko') returning id`);
  const [idle] = await q<{ id: string }>(`insert into users (platform, external_id) values ('web', 'idle') returning id`);
  const project = async (space: string, slug: string) =>
    (await q<{ id: string }>(`insert into projects (space_id, slug, name, visibility, created_by) values ($1, $2, $2, 'private', $3) returning id`, [space, slug, aiko!.id]))[0]!.id;
  const webProject = await project(web!.id, 'general');
  const otherProject = await project(other!.id, 'vault');
  const job = async (space: string, projectId: string, at: string) =>
    (await q<{ id: string }>(
      `insert into jobs (space_id, project_id, user_id, platform, request, prompt_sent, seed, width, height, steps, created_at)
       values ($1, $2, $3, 'web', '{}', 'a cat', 1, 64, 64, 1, now() - $4::interval) returning id`,
      [space, projectId, aiko!.id, at],
    ))[0]!.id;
  const webJob = await job(web!.id, webProject, '1 day');
  const otherJob = await job(other!.id, otherProject, '1 hour');
  await q(`insert into project_members (project_id, user_id) values ($1, $3), ($2, $3)`, [webProject, otherProject, aiko!.id]);
  await q(`insert into audit_log (space_id, actor_user_id, action) values ($1, $3, 'a'), ($2, $3, 'b')`, [web!.id, other!.id, aiko!.id]);
  await q(`insert into api_tokens (id, space_id, subject, role, issued_by, expires_at) values (gen_random_uuid(), $1, 'x', 'creator', $2, now() + interval '1 day')`, [other!.id, aiko!.id]);

  await migrateDatabase(handle);

  const rows = await q<{ id: string; space_id: string; display_name: string }>(`select id, space_id, display_name from users where external_id = 'aiko' order by created_at, space_id = $1 desc`, [web!.id]);
  expect(rows).toHaveLength(2);
  const webAiko = rows.find((r) => r.space_id === web!.id)!;
  const otherAiko = rows.find((r) => r.space_id === other!.id)!;
  expect(webAiko.id).toBe(aiko!.id);
  expect(otherAiko.id).not.toBe(aiko!.id);
  expect(otherAiko.display_name).toBe('Aiko');
  const owner = async (sql: string, id: string) => (await q<{ u: string }>(sql, [id]))[0]!.u;
  expect(await owner('select user_id u from jobs where id = $1', webJob)).toBe(webAiko.id);
  expect(await owner('select user_id u from jobs where id = $1', otherJob)).toBe(otherAiko.id);
  expect(await owner('select user_id u from project_members where project_id = $1', webProject)).toBe(webAiko.id);
  expect(await owner('select user_id u from project_members where project_id = $1', otherProject)).toBe(otherAiko.id);
  expect(await owner('select created_by u from projects where id = $1', otherProject)).toBe(otherAiko.id);
  expect(await owner(`select actor_user_id u from audit_log where action = 'b' and space_id = $1`, other!.id)).toBe(otherAiko.id);
  expect(await owner(`select issued_by u from api_tokens where space_id = $1`, other!.id)).toBe(otherAiko.id);
  // Never used anywhere: kept, in its platform's oldest space.
  expect((await q<{ space_id: string }>('select space_id from users where id = $1', [idle!.id]))[0]!.space_id).toBe(web!.id);

  // The running code finds each space's row by the same name.
  const records = new PostgresRecords(handle.db);
  const actor = (space: string): Actor => ({ platform: 'web', spaceExternalId: space, userExternalId: 'aiko', platformRoles: [], isPlatformAdmin: false });
  expect((await records.ensureIdentity(actor('web'))).userId).toBe(webAiko.id);
  expect((await records.ensureIdentity(actor('other'))).userId).toBe(otherAiko.id);
});
