import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/isolation.js';

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
