import { Redis } from 'ioredis';

/**
 * BullMQ needs maxRetriesPerRequest: null on blocking connections; the same setting suits our other
 * uses (commands wait for a reconnect instead of failing fast on a blip).
 */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
}
