import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../config.js';
import { heartbeatKey, isAlive } from '../infra/heartbeat.js';

/**
 * Container health check for the worker and bot processes (the web process answers /readyz):
 * `node --import tsx src/cli/healthcheck.ts worker` exits 0 when the process running those parts
 * on this host marked itself alive in Redis in the last few beats, 1 otherwise.
 */
const parts = process.argv.slice(2);
if (parts.length === 0) {
  process.stderr.write('usage: healthcheck.ts PART [PART...] (the parts the process runs, e.g. worker)\n');
  process.exit(2);
}
if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');
let redis: Redis | undefined;
try {
  const config = loadConfig();
  // Fail fast: a health check that waits on a reconnect loop tells nothing.
  redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3_000, retryStrategy: () => null });
  await redis.connect();
  const alive = await isAlive(redis, heartbeatKey(config.QUEUE_PREFIX, parts));
  process.stdout.write(alive ? 'healthy\n' : `unhealthy: no recent heartbeat from the ${parts.join('+')} process on this host\n`);
  process.exitCode = alive ? 0 : 1;
} catch (error) {
  process.stdout.write(`unhealthy: ${error instanceof ConfigError ? error.message : 'Redis did not answer'}\n`);
  process.exitCode = 1;
} finally {
  redis?.disconnect();
}
