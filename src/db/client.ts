import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { connectionProblem, errorCode, ServiceUnreachableError } from '../shared/unreachable.js';
import * as schema from './schema.js';

/** The drizzle handle, with the pool under it for the few statements prepared by hand. */
export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface DatabaseHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Creates the database named in the URL when it does not exist yet (a fresh machine has none). */
async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: STARTUP_CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      // Identifiers cannot be parameters; quote it as an identifier.
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        // Created meanwhile by another process: 42P04, or 23505 when both inserts met in the catalog.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * How long a query waits to connect (or for a free pooled connection) before it fails: during an
 * outage a request answers 503 within 2 s instead of hanging on a connect that never completes.
 */
export const CONNECT_TIMEOUT_MS = 1_500;

export function connectDatabase(databaseUrl: string, poolSize = 10): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, idleTimeoutMillis: 30_000, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}

/** Any fixed number works; this one is "anime-pr" in ASCII, so it is recognisable in pg_locks. */
const MIGRATION_LOCK_KEY = '7020664787687010418';

/**
 * Applies drizzle/ migrations under a session advisory lock, so processes starting together
 * (web, worker, bots on a fresh install) migrate one after another: the first applies them, the
 * rest find them applied. The lock lives on a client of its own, outside the pool the migrator uses.
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  // Not from the pool: a pool of one (npm run db:migrate) would leave the migrator no connection.
  const lockHolder = new pg.Client(handle.pool.options);
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
    await lockHolder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
  } finally {
    // Ending the session releases the lock too, also when a migration failed.
    await lockHolder.end();
  }
}

/** A server that never answers (a dropped packet) fails start-up after this, not after the OS gives up. */
const STARTUP_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Start-up path: connect, migrate, and create the database first only when the server says it is
 * missing (most starts find it, and skip a second connection to the postgres database). An
 * unreachable server or a refused login becomes a ServiceUnreachableError naming host and port.
 */
export async function openDatabase(databaseUrl: string, poolSize = 10): Promise<DatabaseHandle> {
  const handle = connectDatabase(databaseUrl, poolSize);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(Object.assign(new Error('connection timeout'), { code: 'ETIMEDOUT' }));
    }, STARTUP_CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([migrateCreatingIfMissing(handle, databaseUrl), deadline]);
    return handle;
  } catch (error) {
    // After a timeout a connection attempt is still pending; ending the pool would wait for it.
    if (timedOut) void handle.close().catch(() => undefined);
    else await handle.close().catch(() => undefined);
    const problem = connectionProblem(error);
    if (problem) throw new ServiceUnreachableError('PostgreSQL', databaseUrl, problem, 'DATABASE_URL', { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function migrateCreatingIfMissing(handle: DatabaseHandle, databaseUrl: string): Promise<void> {
  try {
    await migrateDatabase(handle);
  } catch (error) {
    if (errorCode(error) !== '3D000') throw error; // 3D000: invalid_catalog_name, no such database
    await ensureDatabaseExists(databaseUrl);
    await migrateDatabase(handle);
  }
}
