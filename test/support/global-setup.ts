import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectDatabase, migrateDatabase } from '../../src/db/client.js';
import { ADMIN_URL, databaseUrl } from './env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testRunId: string;
  }
}

/**
 * Migrates one template database per run; each test file then copies it (CREATE DATABASE ...
 * TEMPLATE). Names carry a run id, so two runs on one machine never drop each other's databases.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = randomBytes(3).toString('hex');
  const template = `ap_test_${runId}_template`;
  project.provide('testRunId', runId);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const handle = connectDatabase(databaseUrl(template), 1);
  await migrateDatabase(handle);
  await handle.close();
  await admin.end();
  return async () => {
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    const leftovers = await cleanup.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`ap_test_${runId}_%`]);
    for (const row of leftovers.rows) await cleanup.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await cleanup.end();
  };
}
