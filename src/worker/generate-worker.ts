import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BackendReport } from '../core/backend-report.js';
import type { BackendStatus } from '../core/farm-state.js';
import { HAND_BACK_REASON, type Generator } from '../core/generator.js';
import type { JobEventBus } from '../core/ports.js';
import { routeKey, type JobRoute } from '../core/routes.js';
import type { BullJobQueue, GenerateJobData } from '../infra/queue.js';
import type { Logger } from '../shared/logger.js';
import type { BackendMonitor } from './backend-monitor.js';
import { BackendHealth, type HealthSettings } from './farm/backend-health.js';
import { BackendSlot, type SlotIdentity } from './farm/backend-slot.js';
import { processJob, type ProcessDeps } from './process-job.js';
import { failStalledJob, isStalledFailure } from './stalled.js';
import { OrphanReclaimer } from './queue-sweep.js';
import { RecordOutagePause } from './record-outage.js';

/** Defaults: a killed worker's job is free again within about lock + stalled check (15 s). */
export const DEFAULT_LOCK_MS = 10_000;
/** How long a starting worker waits to see a missing worker's jobs a second time before taking them back. */
const ORPHAN_CONFIRM_MS = 1_000;
/** A status is trusted for three probes: one slow probe is forgiven, a stopped worker is not. */
const STATUS_FRESH_PROBES = 3;
/** How long a backend that said "busy" without a Retry-After takes no new job. */
export const DEFAULT_BUSY_COOL_DOWN_MS = 5_000;

export interface WorkerSettings {
  connection: Redis;
  prefix: string;
  /** Unique per process (host:pid:random): on each job it takes, on its connections, on each status. */
  workerName: string;
  /** Prompts one backend runs at once (ComfyUI runs one at a time; default 1). */
  concurrency: number;
  /** How long a shutdown waits for running jobs before handing them back to the queue. */
  shutdownGraceMs: number;
  /** BullMQ lock, renewed by BullMQ every half of it while the job runs. */
  lockDurationMs?: number;
  /** How often expired locks are looked for; a crashed worker's job is back within lock + this. */
  stalledIntervalMs?: number;
  /** How often a worker paused by a Postgres outage asks whether Postgres answers again. */
  recordProbeMs?: number;
  health: HealthSettings;
}

/** One backend this worker serves. */
export interface ServedBackend {
  identity: Omit<SlotIdentity, 'worker'>;
  generator: Generator;
  /** Resolves when the backend answers a cheap request; throws when it does not. */
  ping(signal: AbortSignal): Promise<void>;
  /** Its capability check (object_info), run at start, every interval, and on rejoining. */
  monitor: BackendMonitor;
}

export interface FarmSinks {
  queues: BullJobQueue;
  states: { put(status: BackendStatus): Promise<void>; remove(name: string): Promise<void> };
  /** Names an admin drained (the backends table); read every probe. */
  drainedNames?: () => Promise<ReadonlySet<string>>;
}

export interface RunningWorker {
  readonly slots: readonly BackendSlot[];
  /** Serves one more backend (an admin added it to the table); a name already served is ignored. */
  addBackend(backend: ServedBackend): Promise<void>;
  /**
   * Stops serving a backend (an admin removed it from the table): it takes no new job at once, the
   * jobs it has in process finish, then its route workers and probe stop. False when not served.
   */
  removeBackend(name: string): Promise<boolean>;
  /** The BullMQ workers, one per (backend, route) it serves so far (tests listen to their events). */
  routeWorkers(): ReadonlyArray<Worker<GenerateJobData>>;
  isRunning(): boolean;
  /** Finishes running jobs within the grace period, hands back the rest, then stops. */
  close(): Promise<void>;
}

/** What the capability check says a backend can run. */
export function capabilitiesOf(report: BackendReport, allRoutes: readonly JobRoute[]): { routes: string[]; templates: string[]; models: string[] } {
  return {
    routes: report.routes ?? allRoutes.map(routeKey),
    templates: report.templates.filter((t) => t.runs).map((t) => t.name),
    models: report.models.filter((m) => m.available).map((m) => m.id),
  };
}

/**
 * The BullMQ layer of the farm: per backend a slot, and per route it can run one BullMQ Worker on
 * that route's queue; the slot's gate lets `concurrency` prompts run on the backend at once and
 * pauses its other route workers meanwhile. Translates processJob's results into BullMQ's fates.
 */
export async function startGenerateWorker(
  settings: WorkerSettings,
  backends: readonly ServedBackend[],
  sinks: FarmSinks,
  deps: Omit<ProcessDeps, 'generator'>,
  events: JobEventBus,
  log: Logger,
): Promise<RunningWorker> {
  let shuttingDown = false;
  const lockDuration = settings.lockDurationMs ?? DEFAULT_LOCK_MS;
  let workers: Array<Worker<GenerateJobData>> = [];
  /** Each backend's own route workers, so a removed one's can be closed. */
  const workersOf = new Map<BackendSlot, Array<Worker<GenerateJobData>>>();
  const freshForMs = settings.health.probeMs * STATUS_FRESH_PROBES + 1_000;
  const writeStatus = (slot: BackendSlot) =>
    sinks.states.put(slot.status(Date.now(), freshForMs)).catch((error: unknown) => log.warn({ err: error, backend: slot.name }, 'could not write the backend status'));

  const processorFor = (slot: BackendSlot, route: JobRoute, generator: Generator) => {
    const key = routeKey(route);
    const slotDeps: ProcessDeps = { ...deps, generator };
    return async (job: Job<GenerateJobData>, token?: string, signal?: AbortSignal): Promise<string> => {
      if (!slot.enter(job.id!, key)) {
        // Fetched in a race with another route worker of this backend, or just drained/down:
        // back to the front of its priority, attempt unspent, for a backend with room.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      try {
        const result = await processJob(slotDeps, {
          jobId: job.data.jobId,
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
          signal: signal ?? new AbortController().signal,
          isShutdown: () => shuttingDown,
          // The box is let go once the backend is done; the job settles while the next prompt runs.
          box: slot.holdOf(job.id!),
        });
        switch (result.kind) {
          case 'done':
          case 'cancelled':
            return result.kind;
          case 'skipped':
            return `skipped:${result.why}`;
          case 'interrupted':
            // Hand the job back without spending an attempt; another worker picks it up.
            await job.moveToWait(token);
            throw new WaitingError();
          case 'unreachable':
            // Same hand-back, and no backend of this worker takes jobs until Postgres answers.
            outage.begin();
            await job.moveToWait(token);
            throw new WaitingError();
          case 'failed':
            if (result.retry === 'never') throw new UnrecoverableError(result.code);
            if (result.retry === 'rate_limit') {
              // This backend's trouble only: it cools down, and the job goes back to the front of
              // its priority, attempt unspent, for any backend of the route (a queue-wide rate
              // limit would stop every box of the farm serving it).
              slot.coolDown(result.retryAfterMs ?? DEFAULT_BUSY_COOL_DOWN_MS);
              await job.moveToWait(token);
              throw new WaitingError();
            }
            throw new Error(result.code);
        }
      } finally {
        slot.leave(job.id!);
      }
    };
  };

  const addRouteWorkers = async (slot: BackendSlot, generator: Generator) => {
    for (const route of sinks.queues.routes) {
      const key = routeKey(route);
      if (!slot.routeKeys.has(key) || slot.hasWorker(key) || slot.isRetired || shuttingDown) continue;
      const worker = new Worker<GenerateJobData>(sinks.queues.nameOf(route), processorFor(slot, route, generator), {
        connection: settings.connection,
        prefix: settings.prefix,
        concurrency: settings.concurrency,
        // Unique per process: recorded on each job it takes and on its connection, so a starting
        // worker can tell the jobs of a worker that is gone.
        name: settings.workerName,
        autorun: false,
        lockDuration,
        stalledInterval: settings.stalledIntervalMs ?? Math.max(250, Math.round(lockDuration / 2)),
        maxStalledCount: 2,
      });
      worker.on('error', (error) => log.error({ err: error, backend: slot.name }, 'worker error'));
      worker.on('failed', (job, error) => {
        // A job that stalled too often fails inside BullMQ without reaching our processor's catch.
        if (job && isStalledFailure(error)) {
          const jobId = job.data.jobId;
          failStalledJob({ store: deps.store, admission: deps.admission, events }, jobId).catch((e: unknown) => log.error({ err: e, jobId }, 'could not record a stalled job'));
        }
      });
      await worker.waitUntilReady();
      // Paused until the slot wants it: resume() starts its run loop.
      await worker.pause(true);
      workers.push(worker);
      workersOf.set(slot, [...(workersOf.get(slot) ?? []), worker]);
      slot.addWorker(key, worker);
    }
    slot.sync();
  };

  // One read of the drained flags per probe interval for all backends; while Postgres is out of
  // reach the last flags stay (undefined: keep what each slot has).
  let drainedRead: { at: number; names: Promise<ReadonlySet<string> | undefined> } | undefined;
  const drained = (): Promise<ReadonlySet<string> | undefined> => {
    if (!sinks.drainedNames) return Promise.resolve(undefined);
    if (!drainedRead || Date.now() - drainedRead.at >= settings.health.probeMs / 2) {
      drainedRead = { at: Date.now(), names: sinks.drainedNames().catch(() => undefined) };
    }
    return drainedRead.names;
  };

  const serve = (backend: ServedBackend) => {
    const slot = new BackendSlot({ ...backend.identity, worker: settings.workerName }, settings.concurrency, (s) => void writeStatus(s));
    const applyReport = async (report: BackendReport | undefined) => {
      if (!report?.reachable) return false;
      const found = capabilitiesOf(report, sinks.queues.routes);
      slot.setCapabilities(found.routes, found.templates, found.models);
      await addRouteWorkers(slot, backend.generator);
      return true;
    };
    const health = new BackendHealth(
      slot,
      (signal) => backend.ping(signal),
      async () => {
        await backend.monitor.runOnce();
        return applyReport(backend.monitor.latest);
      },
      async () => {
        const names = await drained();
        if (names) slot.setDrained(names.has(slot.name));
        await writeStatus(slot);
      },
      settings.health,
      log,
    );
    backend.monitor.onReport = (report) => void applyReport(report).catch((error: unknown) => log.warn({ err: error, backend: slot.name }, 'could not start the route workers'));
    return { slot, backend, health, applyReport };
  };
  const served = backends.map(serve);
  const startServing = async ({ slot, backend, health, applyReport }: ReturnType<typeof serve>) => {
    const names = await drained();
    if (names) slot.setDrained(names.has(slot.name));
    // A backend that does not answer at start is down until it does.
    if (!(await applyReport(backend.monitor.latest))) slot.setDown(true);
    await writeStatus(slot);
    health.start();
  };

  const outage = new RecordOutagePause(
    {
      pause: async () => served.forEach(({ slot }) => slot.setOutage(true)),
      resume: () => served.forEach(({ slot }) => slot.setOutage(false)),
    },
    () => deps.store.ping(),
    log,
    settings.recordProbeMs,
  );

  // A user's cancel reaches whichever process runs the job through the event bus.
  const unsubscribe = await events.subscribe((event) => {
    if (event.type === 'cancelled') for (const worker of workers) worker.cancelJob(event.jobId, 'cancelled');
  });
  await reclaimOrphansAtStart(
    sinks.queues.routes.map((route) => new OrphanReclaimer(sinks.queues.queueFor(route), settings.connection, log)),
    log,
  );
  for (const entry of served) await startServing(entry);
  let closed = false;

  return {
    get slots() {
      return served.map((s) => s.slot);
    },
    async addBackend(backend) {
      if (shuttingDown || served.some((s) => s.slot.name === backend.identity.name)) return;
      const entry = serve(backend);
      served.push(entry);
      await startServing(entry);
    },
    async removeBackend(name) {
      const entry = served.find((s) => s.slot.name === name);
      if (!entry) return false;
      entry.slot.retire();
      await writeStatus(entry.slot);
      const own = workersOf.get(entry.slot) ?? [];
      // BullMQ's close waits for the jobs in process; the probe keeps watching the box meanwhile,
      // so a box that dies during its last job still has that job retried elsewhere.
      await Promise.all(own.map((worker) => worker.close()));
      await entry.health.close();
      entry.slot.dispose();
      served.splice(served.indexOf(entry), 1);
      workers = workers.filter((worker) => !own.includes(worker));
      workersOf.delete(entry.slot);
      await sinks.states.remove(name).catch((error: unknown) => log.warn({ err: error, backend: name }, 'could not remove the backend status'));
      return true;
    },
    routeWorkers: () => workers,
    isRunning: () => !closed,
    async close() {
      shuttingDown = true;
      await outage.close();
      await unsubscribe();
      await Promise.all(served.map(({ health }) => health.close()));
      const graceful = Promise.all(workers.map((worker) => worker.close()));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), settings.shutdownGraceMs);
      });
      if ((await Promise.race([graceful.then(() => 'closed' as const), grace])) === 'timeout') {
        log.warn('shutdown grace period over: handing running jobs back to the queue');
        for (const worker of workers) worker.cancelAllJobs(HAND_BACK_REASON);
        await graceful;
      }
      clearTimeout(timer);
      closed = true;
      for (const { slot } of served) slot.dispose();
      await Promise.all(served.map(({ slot }) => sinks.states.remove(slot.name).catch(() => undefined)));
    },
  };
}

/**
 * Before taking new jobs: a job whose worker was killed goes back to the front of its priority now,
 * so it keeps its place ahead of the jobs queued behind it (waiting for its lock to run out would
 * let this worker take those first).
 */
async function reclaimOrphansAtStart(reclaimers: OrphanReclaimer[], log: Logger): Promise<void> {
  try {
    for (const reclaimer of reclaimers) await reclaimer.sweep();
    if (!reclaimers.some((r) => r.hasSuspects)) return;
    await sleep(ORPHAN_CONFIRM_MS);
    for (const reclaimer of reclaimers) await reclaimer.sweep();
  } catch (error) {
    // Only a shortcut: the stalled check brings such jobs back anyway.
    log.warn({ err: error }, 'could not look for jobs of stopped workers');
  }
}
