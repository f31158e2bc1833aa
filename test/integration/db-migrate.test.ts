import { afterAll, beforeAll, expect, test } from 'vitest';
import pg from 'pg';
import { openDatabase } from '../../src/db/client.js';
import { ADMIN_URL, databaseUrl } from '../support/env.js';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/isolation.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

test('migrations create every table of the system of record', async () => {
  const result = await database.pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  expect(result.rows.map((r) => r.table_name)).toEqual(
    expect.arrayContaining(['api_tokens', 'assets', 'audit_log', 'channel_projects', 'characters', 'jobs', 'project_members', 'projects', 'role_mappings', 'spaces', 'users']),
  );
});

test('openDatabase creates a missing database, then migrates it (a fresh machine)', async () => {
  const name = uniqueName('ap_test_fresh');
  const handle = await openDatabase(databaseUrl(name), 1);
  try {
    const { rows } = await handle.pool.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'jobs'");
    expect(rows[0]!.n).toBe('1');
    await handle.close();
    // The second start finds it there and only checks the migrations.
    await (await openDatabase(databaseUrl(name), 1)).close();
  } finally {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
