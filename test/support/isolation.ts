import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { ADMIN_URL, REDIS_URL, databaseUrl } from './env.js';

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase extends DatabaseHandle {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own (copied from the run's template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const runId = inject('testRunId');
  const name = uniqueName(`ap_test_${runId}`);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ap_test_${runId}_template`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const handle = connectDatabase(url, 5);
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await handle.pool.end();
    }
  };
  return {
    ...handle,
    url,
    name,
    close,
    async drop() {
      await close();
      const dropper = new pg.Client({ connectionString: ADMIN_URL });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** A unique Redis key prefix and a cleanup that deletes everything under it. */
export function createRedisNamespace(): { prefix: string; url: string; cleanup(): Promise<void> } {
  const prefix = uniqueName('aptest');
  return {
    prefix,
    url: REDIS_URL,
    async cleanup() {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
