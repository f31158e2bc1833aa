import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BackendReports } from '../infra/backend-reports.js';
import { BackendMonitor } from '../worker/backend-monitor.js';
import type { Generator } from '../core/generator.js';
import { serverOf, type BackendDecl } from '../shared/backend-decls.js';
import { createBuiltinGenerator } from '../worker/backends/builtin/index.js';
import { parseEndpoint } from '../worker/backends/comfyui/client.js';
import { createComfyUiGenerator } from '../worker/backends/comfyui/comfyui-generator.js';
import { startGenerateWorker, type RunningWorker, type ServedBackend } from '../worker/generate-worker.js';
import { WorkerJobStore } from '../worker/job-store.js';
import { PlacesAnnouncer } from '../worker/places-announcer.js';
import { restoreLostJobs, settleStrandedWaiting } from '../worker/queue-sweep.js';
import { JobInputLoader, MediaOutputStorer } from '../worker/store-outputs.js';
import { backendCheck, comfyUiCheck, workflowsDirOf } from './backend-check.js';
import { FFMPEG_MISSING_TEXT, ffmpegAvailable } from '../worker/media/video-frames.js';
import type { Runtime } from './runtime.js';
import { routeOfJob } from '../core/routes.js';
import { PreviewStore } from '../infra/previews/preview-store.js';

export interface WorkerPartOptions {
  /** One stand-in backend instead of the configured ones (tests). */
  generator?: Generator;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often unfinished jobs are checked against the queue (default 30 s). */
  sweepIntervalMs?: number;
  /** How often a worker paused by a Postgres outage probes it (default 1 s). */
  recordProbeMs?: number;
}

const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

/** GET /queue: cheap on ComfyUI (no node list), and it needs the server's prompt loop alive. */
async function pingComfyUi(url: string, signal: AbortSignal): Promise<void> {
  const endpoint = parseEndpoint(url);
  const response = await fetch(new URL('queue', endpoint.base), { headers: endpoint.headers, signal });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}

function comfyUiBackend(runtime: Runtime, worker: string, decl: BackendDecl, reports: BackendReports): ServedBackend {
  const { config } = runtime;
  const log = runtime.log.child({ component: 'comfyui', backend: decl.name });
  const generator = createComfyUiGenerator({
    name: decl.name,
    baseUrl: decl.url,
    workflowsDir: workflowsDirOf(config),
    workflow: config.COMFYUI_WORKFLOW,
    models: config.models,
    timeoutMs: config.COMFYUI_TIMEOUT_MS,
    logger: log,
  });
  return {
    identity: { name: decl.name, kind: 'comfyui', server: serverOf(decl.url) },
    generator,
    ping: (signal) => pingComfyUi(decl.url, signal),
    monitor: new BackendMonitor(comfyUiCheck(config, worker, decl), reports, log.child({ component: 'backend-check' }), config.BACKEND_CHECK_INTERVAL_MS),
  };
}

/** The built-in renderer (or a test's stand-in): always answers, runs every route. */
function localBackend(runtime: Runtime, worker: string, generator: Generator, reports: BackendReports): ServedBackend {
  return {
    identity: { name: generator.name, kind: generator.name === 'builtin' ? 'builtin' : 'local' },
    generator,
    ping: async () => undefined,
    monitor: new BackendMonitor(backendCheck(runtime, worker, generator), reports, runtime.log.child({ component: 'backend-check' }), runtime.config.BACKEND_CHECK_INTERVAL_MS),
  };
}

/**
 * The env-declared servers plus those admins added to the backends table (read at start); without
 * any, the built-in renderer. Table-added servers are served only when the install runs ComfyUI
 * (COMFYUI_URL or COMFYUI_URLS set): the offered models are ComfyUI's then.
 */
function servedBackends(runtime: Runtime, worker: string, options: WorkerPartOptions, reports: BackendReports, tableDecls: readonly BackendDecl[]): ServedBackend[] {
  const { config } = runtime;
  if (options.generator) return [localBackend(runtime, worker, options.generator, reports)];
  if (config.backends.length === 0) return [localBackend(runtime, worker, createBuiltinGenerator({ stepDelayMs: config.BUILTIN_STEP_DELAY_MS }), reports)];
  return [...config.backends, ...tableDecls].map((decl) => comfyUiBackend(runtime, worker, decl, reports));
}

/** Whether this install follows the backends table (it runs ComfyUI servers, not a stand-in). */
function followsTable(runtime: Runtime, options: WorkerPartOptions): boolean {
  return !options.generator && runtime.config.backends.length > 0;
}

/** The servers admins added to the backends table (rows with a URL whose name the environment does not declare). */
async function addedBackends(runtime: Runtime): Promise<BackendDecl[]> {
  const rows = await runtime.backendRecords.list();
  return rows.flatMap((row) => (row.url && !runtime.config.backends.some((d) => d.name === row.name) ? [{ name: row.name, url: row.url }] : []));
}

/** How often a worker looks for servers admins added (in probe intervals). */
const TABLE_WATCH_PROBES = 5;

/**
 * Starts the worker after putting back into the queue any unfinished job the record holds but
 * Redis lost or BullMQ gave up on (Postgres is the system of record; the enqueue is idempotent by
 * job id), and keeps doing so periodically while it runs: an outage can strand jobs at any time.
 */
export async function startWorker(runtime: Runtime, options: WorkerPartOptions = {}): Promise<RunningWorker & { generators: Generator[] }> {
  const log = runtime.log.child({ component: 'worker' });
  const workerName = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const store = new WorkerJobStore(runtime.database.db, runtime.records);
  const reports = new BackendReports(runtime.redis, runtime.config.QUEUE_PREFIX);
  const tableDecls = followsTable(runtime, options) ? await addedBackends(runtime) : [];
  const backends = servedBackends(runtime, workerName, options, reports, tableDecls);
  await Promise.all(backends.map((backend) => backend.monitor.start()));
  // A job that waited on another's render and must now render itself goes into its own route's line.
  const enqueue = async (jobId: string, priority: number) => {
    const job = await store.getJob(jobId);
    if (job) await runtime.queue.enqueue(jobId, priority, routeOfJob(job, runtime.queue.routes[0]?.model ?? 'default'));
  };
  const sweep = async () => {
    const restored = await restoreLostJobs(store, runtime.queue);
    if (restored > 0) log.warn({ count: restored }, 'put unfinished jobs back in the queue');
    const settled = await settleStrandedWaiting({ store, admission: runtime.admission, events: runtime.events, enqueue }, log);
    if (settled > 0) log.warn({ count: settled }, 'settled jobs left waiting on an ended render');
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
  const places = new PlacesAnnouncer(runtime.waits, (event) => runtime.events.publish(event), log);
  const { config } = runtime;
  const lockDurationMs = options.lockDurationMs ?? config.WORKER_LOCK_MS;
  const running = await startGenerateWorker(
    {
      connection: runtime.redis,
      prefix: config.QUEUE_PREFIX,
      workerName,
      concurrency: config.WORKER_CONCURRENCY,
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
      lockDurationMs,
      // Half the lock: a killed worker's job is back within 1.5 x WORKER_LOCK_MS at most.
      stalledIntervalMs: options.stalledIntervalMs ?? Math.max(250, Math.round(config.WORKER_LOCK_MS / 2)),
      recordProbeMs: options.recordProbeMs,
      health: { probeMs: config.BACKEND_PROBE_MS, downAfter: config.BACKEND_DOWN_AFTER },
    },
    backends,
    { queues: runtime.queue, states: runtime.backendStates, drainedNames: () => runtime.backendRecords.drainedNames() },
    {
      store,
      outputs: new MediaOutputStorer(runtime.media, log),
      inputs: new JobInputLoader(runtime.records, runtime.media),
      events: runtime.events,
      admission: runtime.admission,
      places,
      log,
      enqueue,
      // On the worker's patient connection: a preview waits out a Redis blip instead of failing (the next frame is dropped meanwhile).
      previews: { store: new PreviewStore(runtime.redis, config.QUEUE_PREFIX), intervalMs: config.PREVIEW_INTERVAL_MS },
    },
    runtime.events,
    log,
  );
  log.info({ backends: backends.map((b) => b.identity.name), concurrency: config.WORKER_CONCURRENCY }, 'worker started');
  // Servers admins add or remove are served or let go without a restart (a ComfyUI install only:
  // see servedBackends). Where each table server points, to notice one re-added under a new URL.
  const tableUrls = new Map(tableDecls.map((decl) => [decl.name, decl.url]));
  // Let-gos in progress: each waits for its backend's last job, so the watch does not wait on them.
  const removing = new Map<string, Promise<void>>();
  const letGo = async (name: string) => {
    log.info({ backend: name }, 'an admin removed a backend: finishing its jobs, then letting it go');
    await running.removeBackend(name);
    const index = backends.findIndex((b) => b.identity.name === name);
    const [gone] = index >= 0 ? backends.splice(index, 1) : [];
    await gone?.monitor.stop();
    await gone?.generator.close?.();
    log.info({ backend: name }, 'a removed backend is let go');
  };
  const followTable = async () => {
    const wanted = new Map((await addedBackends(runtime)).map((decl) => [decl.name, decl.url]));
    for (const [name, url] of tableUrls) {
      if (wanted.get(name) === url) continue;
      // Removed (or pointed elsewhere): no new job now, the running one finishes, then it is let go.
      tableUrls.delete(name);
      removing.set(
        name,
        letGo(name)
          .catch((error: unknown) => log.warn({ err: error, backend: name }, 'could not let a removed backend go'))
          .finally(() => removing.delete(name)),
      );
    }
    for (const [name, url] of wanted) {
      if (removing.has(name) || running.slots.some((slot) => slot.name === name)) continue;
      const backend = comfyUiBackend(runtime, workerName, { name, url }, reports);
      backends.push(backend);
      tableUrls.set(name, url);
      await backend.monitor.start();
      await running.addBackend(backend);
      log.info({ backend: name }, 'serving a backend an admin added');
    }
  };
  let watching: Promise<void> | undefined;
  const watchTimer = setInterval(() => {
    if (!followsTable(runtime, options)) return;
    watching ??= followTable()
      .catch((error: unknown) => log.warn({ err: error }, 'could not follow the backends table'))
      .finally(() => {
        watching = undefined;
      });
  }, config.BACKEND_PROBE_MS * TABLE_WATCH_PROBES);
  watchTimer.unref();
  // Images never need it; an MP4 output without it fails with media_tool_missing, so say it once up front.
  if (!(await ffmpegAvailable())) log.warn(FFMPEG_MISSING_TEXT);
  return {
    get slots() {
      return running.slots;
    },
    get generators() {
      return backends.map((b) => b.generator);
    },
    addBackend: (backend) => running.addBackend(backend),
    removeBackend: (name) => running.removeBackend(name),
    routeWorkers: () => running.routeWorkers(),
    isRunning: () => running.isRunning(),
    async close() {
      clearInterval(sweepTimer);
      clearInterval(watchTimer);
      await sweeping;
      await watching;
      await Promise.all(backends.map((b) => b.monitor.stop()));
      // Closing hands back, after the grace period, the last jobs of backends being let go too.
      await running.close();
      await Promise.all(removing.values());
      await places.close();
      await Promise.all(backends.map((b) => b.generator.close?.()));
    },
  };
}
