import { fileURLToPath } from 'node:url';
import type { Generator } from '../core/generator.js';
import { createBuiltinGenerator } from '../worker/backends/builtin/index.js';
import { createComfyUiGenerator } from '../worker/backends/comfyui/comfyui-generator.js';
import { startGenerateWorker, type RunningWorker } from '../worker/generate-worker.js';
import { WorkerJobStore } from '../worker/job-store.js';
import { PlacesAnnouncer } from '../worker/places-announcer.js';
import { MediaOutputStorer } from '../worker/store-outputs.js';
import type { Runtime } from './runtime.js';

const WORKFLOWS_DIR = fileURLToPath(new URL('../../workflows', import.meta.url));

function createGenerator(runtime: Runtime): Generator {
  const { config } = runtime;
  if (!config.COMFYUI_URL) return createBuiltinGenerator({ stepDelayMs: config.BUILTIN_STEP_DELAY_MS });
  return createComfyUiGenerator({
    baseUrl: config.COMFYUI_URL,
    workflowsDir: WORKFLOWS_DIR,
    workflow: config.COMFYUI_WORKFLOW,
    timeoutMs: config.COMFYUI_TIMEOUT_MS,
    logger: runtime.log.child({ component: 'comfyui' }),
  });
}

export interface WorkerPartOptions {
  generator?: Generator;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * Starts the worker after putting back into the queue any unfinished job the record holds but
 * Redis lost (Postgres is the system of record; the enqueue is idempotent by job id).
 */
export async function startWorker(runtime: Runtime, options: WorkerPartOptions = {}): Promise<RunningWorker & { generator: Generator }> {
  const log = runtime.log.child({ component: 'worker' });
  const store = new WorkerJobStore(runtime.database.db, runtime.records);
  const generator = options.generator ?? createGenerator(runtime);
  const unfinished = await store.unfinishedJobs(10_000);
  for (const job of unfinished) await runtime.queue.enqueue(job.id, job.priority);
  if (unfinished.length > 0) log.info({ count: unfinished.length }, 'checked unfinished jobs against the queue');
  const places = new PlacesAnnouncer(store, (event) => runtime.events.publish(event), log);
  const running = await startGenerateWorker(
    {
      connection: runtime.redis,
      prefix: runtime.config.QUEUE_PREFIX,
      concurrency: runtime.config.WORKER_CONCURRENCY,
      shutdownGraceMs: runtime.config.SHUTDOWN_GRACE_MS,
      lockDurationMs: options.lockDurationMs ?? runtime.config.WORKER_LOCK_MS,
      stalledIntervalMs: options.stalledIntervalMs ?? runtime.config.WORKER_LOCK_MS,
    },
    { store, generator, outputs: new MediaOutputStorer(runtime.media, log), events: runtime.events, admission: runtime.admission, places, log },
    runtime.events,
    log,
  );
  log.info({ backend: generator.name, concurrency: runtime.config.WORKER_CONCURRENCY }, 'worker started');
  return {
    ...running,
    generator,
    async close() {
      await running.close();
      await places.close();
      await generator.close?.();
    },
  };
}
