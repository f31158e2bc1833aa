import { Heartbeat, heartbeatKey } from '../infra/heartbeat.js';
import type { Runtime } from './runtime.js';

/**
 * The mark the container health check (src/cli/healthcheck.ts) looks for, kept while every part
 * of this process is healthy; stop() removes it.
 */
export async function startHeartbeat(runtime: Runtime, parts: readonly string[], healthy: () => boolean): Promise<{ stop(): Promise<void> }> {
  const heartbeat = new Heartbeat(runtime.redis, heartbeatKey(runtime.config.QUEUE_PREFIX, parts), healthy);
  await heartbeat.start();
  return heartbeat;
}
