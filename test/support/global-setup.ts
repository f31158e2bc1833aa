import pg from 'pg';
import { connectDatabase, migrateDatabase } from '../../src/db/client.js';
import { ADMIN_URL, TEMPLATE_DB, databaseUrl } from './env.js';

/** Migrates one template database per run; each test then copies it (CREATE DATABASE ... TEMPLATE). */
export default async function setup(): Promise<() => Promise<void>> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  const handle = connectDatabase(databaseUrl(TEMPLATE_DB), 1);
  await migrateDatabase(handle);
  await handle.close();
  await admin.end();
  return async () => {
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    const leftovers = await cleanup.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'ap_test_%'",
    );
    for (const row of leftovers.rows) await cleanup.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await cleanup.end();
  };
}
