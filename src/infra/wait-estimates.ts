import type { BackendReport } from '../core/backend-report.js';
import { takesWork, type BackendStatus } from '../core/farm-state.js';
import { expectedFrom, type MeasuredDuration } from '../core/wait/durations.js';
import { estimateWaits, type Eta, type JobWaits, type Lane, type QueuedWork, type RunningWork } from '../core/wait/estimate.js';

/** What the estimate reads: the record's line and running work, measured durations, and who can run what. */
export interface WaitSources {
  measured(): Promise<MeasuredDuration[]>;
  running(): Promise<RunningWork[]>;
  queued(limit: number): Promise<QueuedWork[]>;
  /** The farm's live backend states (infra/backend-states.ts). */
  states(): Promise<BackendStatus[]>;
  /** The workers' backend checks (infra/backend-reports.ts), for a farm whose workers write no states. */
  reports(): Promise<BackendReport[]>;
}

export interface WaitEstimatesOptions {
  /** Prompts each reporting worker runs at once (WORKER_CONCURRENCY), when lanes come from reports. */
  concurrency: number;
  log: { warn(details: object, message: string): void };
  now?: () => number;
}

/** Durations change slowly (a median of 50 attempts): one read per half minute per process. */
const MEASURED_CACHE_MS = 30_000;
/** Backends come and go within seconds (health, drains). */
const LANES_CACHE_MS = 2_000;
/** A job further back than this gets no estimate when it asks alone (its place is still shown). */
const LINE_LIMIT = 500;

/**
 * The backends that take work, as lanes: the farm's live states where workers write them (each
 * backend one lane, its reported models), else one lane per prompt slot of each reachable worker
 * that reported a check, else (nothing reported yet) `concurrency` lanes that run everything. An
 * empty model list means not checked yet, and counts as running everything.
 */
export function lanesOf(states: readonly BackendStatus[], reports: readonly BackendReport[], concurrency: number): Lane[] {
  const working = states.filter((s) => takesWork(s.state));
  if (states.length > 0) return working.map((s) => ({ name: s.name, ...(s.models.length > 0 ? { models: s.models } : {}) }));
  const usable = reports.filter((r) => r.reachable);
  const slots = Math.max(1, concurrency);
  if (reports.length > 0) {
    return usable.flatMap((r) => {
      const models = r.models.filter((m) => m.available).map((m) => m.id);
      return Array.from({ length: slots }, (_, i) => ({ name: slots === 1 ? r.backend : `${r.backend}#${i + 1}`, models }));
    });
  }
  return Array.from({ length: slots }, (_, i) => ({ name: `lane${i + 1}` }));
}

interface Cached<T> {
  value: T;
  until: number;
}

/** The wait estimates of queued jobs, from the records and the farm's state; pure arithmetic in core/wait. */
export class WaitEstimates implements JobWaits {
  private measured: Cached<MeasuredDuration[]> | undefined;
  private lanes: Cached<Lane[]> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly sources: WaitSources,
    private readonly options: WaitEstimatesOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The first `limit` queued jobs with their places and, when they could be estimated, their waits. */
  async queuedPlaces(limit: number): Promise<Array<{ id: string; position: number; eta?: Eta }>> {
    const queued = await this.sources.queued(limit);
    const etas = queued.length > 0 ? await this.estimateLine(queued) : new Map<string, Eta>();
    return queued.map((job, i) => {
      const eta = etas.get(job.jobId);
      return { id: job.jobId, position: i + 1, ...(eta ? { eta } : {}) };
    });
  }

  async estimate(jobId: string): Promise<Eta | undefined> {
    try {
      const queued = await this.sources.queued(LINE_LIMIT);
      const at = queued.findIndex((job) => job.jobId === jobId);
      if (at < 0) return undefined;
      return (await this.estimateLine(queued.slice(0, at + 1))).get(jobId);
    } catch (error) {
      this.options.log.warn({ err: error, jobId }, 'could not estimate a queued job\'s wait');
      return undefined;
    }
  }

  /** Estimates for a line read just before; none (logged) when the farm's state cannot be read. */
  private async estimateLine(queued: QueuedWork[]): Promise<Map<string, Eta>> {
    try {
      const [measured, lanes, running] = await Promise.all([this.measuredDurations(), this.currentLanes(), this.sources.running()]);
      return estimateWaits({ now: this.now(), lanes, running, queued, expected: expectedFrom(measured) });
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not estimate the waits in line');
      return new Map();
    }
  }

  private async measuredDurations(): Promise<MeasuredDuration[]> {
    if (this.measured && this.measured.until > this.now()) return this.measured.value;
    const value = await this.sources.measured();
    this.measured = { value, until: this.now() + MEASURED_CACHE_MS };
    return value;
  }

  private async currentLanes(): Promise<Lane[]> {
    if (this.lanes && this.lanes.until > this.now()) return this.lanes.value;
    const [states, reports] = await Promise.all([this.sources.states(), this.sources.reports()]);
    const value = lanesOf(states, reports, this.options.concurrency);
    this.lanes = { value, until: this.now() + LANES_CACHE_MS };
    return value;
  }
}
