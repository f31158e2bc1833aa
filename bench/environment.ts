import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/shared/logger.js';
import { deletePrefix, REDIS_URL } from './redis-prefix.js';

const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface BenchEnvironment {
  runtime: Runtime;
  /** The variables the runtime was built from, so a child process can join the same deployment. */
  env: Record<string, string>;
  redisUrl: string;
  prefix: string;
  close(): Promise<void>;
}

/** A throwaway database, Redis prefix and media folder, so a bench never touches real data. */
export async function benchEnvironment(env: Record<string, string> = {}): Promise<BenchEnvironment> {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `ap_bench_${id}`;
  const prefix = `apbench_${id}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'ap-bench-'));
  const vars: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: `${PG_BASE}/${database}`,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    APP_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_BURST: '100000',
    MAX_PENDING_PER_USER: '10000',
    MAX_QUEUE: '1000000',
    ...env,
  };
  const config = loadConfig(vars);
  const runtime = await createRuntime(config, createLogger({ level: 'silent', secrets: [] }));
  return {
    runtime,
    env: vars,
    redisUrl: REDIS_URL,
    prefix,
    async close() {
      await runtime.close();
      const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
      await deletePrefix(prefix);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
