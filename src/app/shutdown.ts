import type { Logger } from '../shared/logger.js';

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
  /** For the heartbeat: false while the part cannot do its work (absent: healthy while running). */
  healthy?: () => boolean;
}

export interface RunningParts {
  worker?: Stoppable;
  web?: Stoppable;
  bots: Stoppable[];
}

export function everyPartHealthy(parts: RunningParts): boolean {
  return [parts.worker, parts.web, ...parts.bots].every((part) => !part?.healthy || part.healthy());
}

/** Past the grace period, this long for the rest (streams, sockets, pools) before giving up. */
const AFTER_GRACE_MS = 10_000;

/**
 * Stops a process's parts in the order that loses nothing:
 * 1. the worker stops taking jobs at once (its close returns only after the running jobs finished
 *    within the grace period or were handed back, so it is awaited later, not here);
 * 2. the web server tells live streams to reconnect, ends them, and closes;
 * 3. once the worker is done, the bots (they relay the last events of the running jobs);
 * 4. Redis and Postgres.
 */
export async function stopInOrder(parts: RunningParts, closeShared: () => Promise<void>, graceMs: number, log: Logger): Promise<void> {
  const backstop = setTimeout(() => {
    log.error('shutdown did not finish in time; exiting anyway');
    process.exit(1);
  }, graceMs + AFTER_GRACE_MS);
  backstop.unref();
  const stop = (part: Stoppable) => part.stop().catch((error: unknown) => log.error({ err: error, part: part.name }, 'part did not stop cleanly'));
  const workerDone = parts.worker ? stop(parts.worker) : Promise.resolve();
  if (parts.web) await stop(parts.web);
  await workerDone;
  for (const bot of parts.bots) await stop(bot);
  await closeShared();
  clearTimeout(backstop);
}
