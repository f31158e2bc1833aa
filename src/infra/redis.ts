import { Redis } from 'ioredis';
import { connectionProblem, ServiceUnreachableError } from '../shared/unreachable.js';

/**
 * BullMQ needs maxRetriesPerRequest: null on blocking connections; the same setting suits our other
 * uses (commands wait for a reconnect instead of failing fast on a blip).
 */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
}

/** How long a request waits for one Redis command before it answers 503; well inside 2 s. */
export const REQUEST_COMMAND_TIMEOUT_MS = 1_000;

/**
 * The connection requests use (sign-in failures, admission, enqueue, metrics): during an outage a
 * command fails within a second (commandTimeout, and a queued command is dropped after one failed
 * reconnect) so the request answers 503 instead of hanging. The offline queue stays on so commands
 * sent before the first connect wait for it. Never for BullMQ Workers: they need the patient one.
 */
export function createRequestRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: REQUEST_COMMAND_TIMEOUT_MS, connectionName: name, lazyConnect: false });
}

/** Covers a server that accepts the connection but never answers the ready check. */
const STARTUP_READY_TIMEOUT_MS = 10_000;

/**
 * Start-up: resolves once the client is ready. The first error before that ends the client and
 * rejects with a ServiceUnreachableError: retrying forever would hide a wrong REDIS_URL behind a
 * stream of logged stack traces. (Once running, the client reconnects after a blip as before.)
 */
export function untilRedisReady(redis: Redis, url: string): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      stop();
      redis.disconnect();
      const reason = connectionProblem(error) ?? `could not be used: ${error.message}`;
      reject(new ServiceUnreachableError('Redis', url, reason, 'REDIS_URL', { cause: error }));
    };
    const ready = () => {
      stop();
      resolve();
    };
    const timer = setTimeout(() => fail(Object.assign(new Error('ready check timed out'), { code: 'ETIMEDOUT' })), STARTUP_READY_TIMEOUT_MS);
    const stop = () => {
      clearTimeout(timer);
      redis.off('ready', ready);
      redis.off('error', fail);
    };
    redis.on('ready', ready);
    redis.on('error', fail);
  });
}
