import pg from 'pg';
import { afterEach, expect, inject, test } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { ADMIN_URL, databaseUrl } from '../support/env.js';
import { uniqueName } from '../support/isolation.js';

const EXPECTED_TABLES = ['api_tokens', 'assets', 'audit_log', 'channel_projects', 'characters', 'jobs', 'project_members', 'projects', 'role_mappings', 'spaces', 'users'];

let name: string | undefined;
afterEach(async () => {
  if (!name) return;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  name = undefined;
});

test('processes starting at once on an empty database all open it, and the schema is migrated once', async () => {
  // No template: the database does not exist yet, as on a fresh install where web and worker start together.
  // Named with the run id, so the run's teardown drops it even if this test dies midway.
  name = uniqueName(`ap_test_${inject('testRunId')}_fresh`);
  const url = databaseUrl(name);
  const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => openDatabase(url, 2)));
  const handles = outcomes.filter((o): o is PromiseFulfilledResult<DatabaseHandle> => o.status === 'fulfilled').map((o) => o.value);
  try {
    const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason));
    expect(failures).toEqual([]);
    const tables = await handles[0]!.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
    // Each migration recorded exactly once: nobody applied one twice.
    const applied = await handles[0]!.pool.query<{ hash: string; count: string }>('SELECT hash, count(*) FROM drizzle.__drizzle_migrations GROUP BY hash');
    expect(applied.rows.length).toBeGreaterThan(0);
    expect(applied.rows.every((r) => r.count === '1')).toBe(true);
  } finally {
    await Promise.all(handles.map((h) => h.close()));
  }
});
