import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BackendReports } from '../infra/backend-reports.js';
import { BackendMonitor } from '../worker/backend-monitor.js';
import type { Generator } from '../core/generator.js';
import { createBuiltinGenerator } from '../worker/backends/builtin/index.js';
import { createComfyUiGenerator } from '../worker/backends/comfyui/comfyui-generator.js';
import { startGenerateWorker, type RunningWorker } from '../worker/generate-worker.js';
import { WorkerJobStore } from '../worker/job-store.js';
import { PlacesAnnouncer } from '../worker/places-announcer.js';
import { restoreLostJobs } from '../worker/queue-sweep.js';
import { MediaOutputStorer } from '../worker/store-outputs.js';
import { FFMPEG_MISSING_TEXT, ffmpegAvailable } from '../worker/media/video-frames.js';
import { backendCheck, workflowsDirOf } from './backend-check.js';
import type { Runtime } from './runtime.js';

function createGenerator(runtime: Runtime): Generator {
  const { config } = runtime;
  if (!config.COMFYUI_URL) return createBuiltinGenerator({ stepDelayMs: config.BUILTIN_STEP_DELAY_MS });
  return createComfyUiGenerator({
    baseUrl: config.COMFYUI_URL,
    workflowsDir: workflowsDirOf(config),
    workflow: config.COMFYUI_WORKFLOW,
    models: config.models,
    timeoutMs: config.COMFYUI_TIMEOUT_MS,
    logger: runtime.log.child({ component: 'comfyui' }),
  });
}

export interface WorkerPartOptions {
  generator?: Generator;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often unfinished jobs are checked against the queue (default 30 s). */
  sweepIntervalMs?: number;
  /** How often a worker paused by a Postgres outage probes it (default 1 s). */
  recordProbeMs?: number;
}

const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

/**
 * Starts the worker after putting back into the queue any unfinished job the record holds but
 * Redis lost or BullMQ gave up on (Postgres is the system of record; the enqueue is idempotent by
 * job id), and keeps doing so periodically while it runs: an outage can strand jobs at any time.
 */
export async function startWorker(runtime: Runtime, options: WorkerPartOptions = {}): Promise<RunningWorker & { generator: Generator }> {
  const log = runtime.log.child({ component: 'worker' });
  const store = new WorkerJobStore(runtime.database.db, runtime.records);
  const generator = options.generator ?? createGenerator(runtime);
  const monitor = new BackendMonitor(
    backendCheck(runtime, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, generator),
    new BackendReports(runtime.redis, runtime.config.QUEUE_PREFIX),
    log.child({ component: 'backend-check' }),
    runtime.config.BACKEND_CHECK_INTERVAL_MS,
  );
  await monitor.start();
  const sweep = async () => {
    const restored = await restoreLostJobs(store, runtime.queue);
    if (restored > 0) log.warn({ count: restored }, 'put unfinished jobs back in the queue');
  };
  await sweep();
  let sweeping: Promise<void> | undefined;
  const sweepTimer = setInterval(() => {
    // One sweep at a time; a sweep during an outage fails and the next one tries again.
    sweeping ??= sweep()
      .catch((error: unknown) => log.warn({ err: error }, 'could not check unfinished jobs against the queue'))
      .finally(() => {
        sweeping = undefined;
      });
  }, options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  sweepTimer.unref();
  const places = new PlacesAnnouncer(store, (event) => runtime.events.publish(event), log);
  const running = await startGenerateWorker(
    {
      connection: runtime.redis,
      prefix: runtime.config.QUEUE_PREFIX,
      concurrency: runtime.config.WORKER_CONCURRENCY,
      shutdownGraceMs: runtime.config.SHUTDOWN_GRACE_MS,
      lockDurationMs: options.lockDurationMs ?? runtime.config.WORKER_LOCK_MS,
      // Half the lock: a killed worker's job is back within 1.5 x WORKER_LOCK_MS at most.
      stalledIntervalMs: options.stalledIntervalMs ?? Math.max(250, Math.round(runtime.config.WORKER_LOCK_MS / 2)),
      recordProbeMs: options.recordProbeMs,
    },
    { store, generator, outputs: new MediaOutputStorer(runtime.media, log), events: runtime.events, admission: runtime.admission, places, log },
    runtime.events,
    log,
  );
  log.info({ backend: generator.name, concurrency: runtime.config.WORKER_CONCURRENCY }, 'worker started');
  // Images never need it; an MP4 output without it fails with media_tool_missing, so say it once up front.
  if (!(await ffmpegAvailable())) log.warn(FFMPEG_MISSING_TEXT);
  return {
    ...running,
    generator,
    async close() {
      clearInterval(sweepTimer);
      await sweeping;
      await monitor.stop();
      await running.close();
      await places.close();
      await generator.close?.();
    },
  };
}
