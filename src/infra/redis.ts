import { Redis } from 'ioredis';

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
