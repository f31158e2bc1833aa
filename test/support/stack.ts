import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import { buildWeb } from '../../src/app/web-part.js';
import { startWorker, type WorkerPartOptions } from '../../src/app/worker-part.js';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/core/roles.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';
import type { RunningWorker } from '../../src/worker/generate-worker.js';
import { createRedisNamespace, createTestDatabase, type TestDatabase } from './isolation.js';
import { throughProxy, type TcpProxy } from './tcp-proxy.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TestStack {
  runtime: Runtime;
  database: TestDatabase;
  baseUrl: string;
  web?: FastifyInstance;
  worker?: RunningWorker;
  dataDir: string;
  env: Record<string, string>;
  token(user: string, role?: Role, space?: string): Promise<string>;
  startWorker(options?: WorkerPartOptions): Promise<RunningWorker>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  web?: boolean;
  worker?: boolean | WorkerPartOptions;
  env?: Record<string, string>;
  log?: Logger;
  /** Reach Postgres and/or Redis through these proxies (to cut them in outage tests). */
  proxies?: { postgres?: TcpProxy; redis?: TcpProxy };
}

/**
 * A whole service on real Postgres (its own database) and real Redis (its own prefix), with the
 * web server on a free loopback port. What `npm start` runs, minus the process boundary.
 */
export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const database = await createTestDatabase();
  const redis = createRedisNamespace();
  const dataDir = await mkdtemp(join(tmpdir(), 'ap-test-'));
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: options.proxies?.postgres ? throughProxy(database.url, options.proxies.postgres) : database.url,
    REDIS_URL: options.proxies?.redis ? throughProxy(redis.url, options.proxies.redis) : redis.url,
    QUEUE_PREFIX: redis.prefix,
    DATA_DIR: dataDir,
    APP_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '5000',
    ...options.env,
  };
  const config = loadConfig(env);
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL, secrets: [] });
  const runtime = await createRuntime(config, log);
  const stack: TestStack = {
    runtime,
    database,
    baseUrl: config.PUBLIC_URL,
    dataDir,
    env,
    async token(user, role = 'creator', space = 'web') {
      return (await runtime.tokens.issue({ subject: user, role, space, ttlSeconds: 3600, issuedBy: 'test' })).token;
    },
    async startWorker(workerOptions) {
      stack.worker = await startWorker(runtime, workerOptions);
      return stack.worker;
    },
    async stopWorker() {
      await stack.worker?.close();
      stack.worker = undefined;
    },
    async close() {
      await stack.worker?.close().catch(() => undefined);
      await stack.web?.close();
      await runtime.close();
      await database.drop();
      await redis.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  if (options.web !== false) {
    stack.web = await buildWeb(runtime);
    await stack.web.listen({ host: '127.0.0.1', port });
  }
  if (options.worker !== false && options.worker !== undefined) {
    await stack.startWorker(typeof options.worker === 'object' ? options.worker : undefined);
  }
  return stack;
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a Server-Sent Events response until the server closes it (the job ended). */
export async function readSse(response: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const text = await response.text();
  for (const block of text.split('\n\n')) {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return events;
}

/**
 * How a job's event stream says the job ended. A job already done when the stream opened ends it
 * at once with only its `status` snapshot (and its view); then the snapshot's status is the end.
 * Reading the last event's name alone fails whenever the job wins that race.
 */
export function streamEnd(events: SseEvent[]): string {
  const last = events.filter((e) => e.event !== 'view').at(-1);
  if (!last) return 'none';
  return last.event === 'status' ? String(last.data.status) : last.event;
}
