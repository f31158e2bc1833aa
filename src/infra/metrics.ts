import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobEvent } from '../core/events.js';
import type { FarmRecords, LiveBackendStates } from '../core/farm/farm-records.js';
import { BACKEND_ACTIVITIES } from '../core/farm-state.js';
import type { JobEventBus, JobQueue } from '../core/ports.js';

/**
 * Prometheus metrics for the whole deployment, fed by the job event bus: pub/sub delivers every
 * process's events, so whichever web process is scraped sees jobs from every worker.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly submitted: Counter;
  private readonly finished: Counter<'status'>;
  private readonly duration: Histogram<'backend'>;
  private readonly started: Counter<'backend'>;
  private readonly rerendered: Counter;
  private readonly postedWithNote: Counter;
  private readonly problemsPosted: Counter<'problem'>;

  constructor(queue: Pick<JobQueue, 'size'>, farm?: FarmMetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'anime_process_' });
    this.submitted = new Counter({ name: 'anime_jobs_queued_total', help: 'Jobs accepted into the queue', registers: [this.registry] });
    this.started = new Counter({ name: 'anime_job_attempts_total', help: 'Job attempts started by a worker', labelNames: ['backend'], registers: [this.registry] });
    this.finished = new Counter({ name: 'anime_jobs_finished_total', help: 'Jobs that ended, by outcome', labelNames: ['status'], registers: [this.registry] });
    this.rerendered = new Counter({
      name: 'anime_quality_rerenders_total',
      help: 'Jobs whose first render failed the quality check and were rendered again with a new seed',
      registers: [this.registry],
    });
    this.postedWithNote = new Counter({
      name: 'anime_quality_failures_posted_total',
      help: 'Jobs posted with a quality note because the re-render failed the check too',
      registers: [this.registry],
    });
    this.problemsPosted = new Counter({
      name: 'anime_quality_problems_posted_total',
      help: 'Problems of the jobs posted with a quality note, one count per problem per job',
      labelNames: ['problem'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'anime_job_duration_seconds',
      help: 'Time from a job starting to its result being recorded',
      labelNames: ['backend'],
      buckets: [0.05, 0.25, 1, 3, 10, 30, 60, 180, 600],
      registers: [this.registry],
    });
    new Gauge({
      name: 'anime_queue_depth',
      help: 'Jobs waiting or running in the queue',
      registers: [this.registry],
      async collect() {
        this.set(await queue.size());
      },
    });
    if (farm) registerBackendMetrics(this.registry, farm);
  }

  observe(event: JobEvent): void {
    switch (event.type) {
      case 'queued':
        this.submitted.inc();
        break;
      case 'started':
        this.started.inc({ backend: event.backend });
        break;
      case 'completed':
        this.finished.inc({ status: 'completed' });
        this.duration.observe({ backend: event.backend }, event.durationMs / 1000);
        if (event.quality?.retried) this.rerendered.inc();
        if (event.quality && event.quality.problems.length > 0) this.postedWithNote.inc();
        for (const problem of event.quality?.problems ?? []) this.problemsPosted.inc({ problem });
        break;
      case 'failed':
        if (!event.willRetry) this.finished.inc({ status: 'failed' });
        break;
      case 'cancelled':
        this.finished.inc({ status: 'cancelled' });
        break;
      default:
        break;
    }
  }

  async attach(events: JobEventBus): Promise<() => Promise<void>> {
    return events.subscribe((event) => this.observe(event));
  }
}

export interface FarmMetricsSources {
  states: LiveBackendStates;
  records: Pick<FarmRecords, 'backendTotals'>;
}

/**
 * Per backend, read at scrape time so every web process reports the whole farm: its live state
 * (one series per state, 1 for the current one) and whether it is busy, from the workers' states in
 * Redis; attempts and GPU seconds from the records, which hold every worker's attempts.
 */
function registerBackendMetrics(registry: Registry, farm: FarmMetricsSources): void {
  new Gauge({
    name: 'anime_backend_state',
    help: 'What each backend does now (1 for its current state), as its worker reports it',
    labelNames: ['backend', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const status of await farm.states.all()) {
        for (const state of BACKEND_ACTIVITIES) this.set({ backend: status.name, state }, status.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'anime_backend_busy',
    help: 'Whether each backend runs a job now (busy or draining)',
    labelNames: ['backend'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const status of await farm.states.all()) this.set({ backend: status.name }, status.state === 'busy' || status.state === 'draining' ? 1 : 0);
    },
  });
  // Both counters come from one read per scrape; the first to be collected starts it.
  let totals: ReturnType<FarmMetricsSources['records']['backendTotals']> | undefined;
  const readTotals = () => (totals ??= farm.records.backendTotals().finally(() => setImmediate(() => (totals = undefined))));
  new Counter({
    name: 'anime_backend_attempts_total',
    help: 'Job attempts ended on each backend, by outcome (completed, failed, cancelled, interrupted)',
    labelNames: ['backend', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const t of await readTotals()) this.inc({ backend: t.backend, outcome: t.outcome }, t.attempts);
    },
  });
  new Counter({
    name: 'anime_backend_gpu_seconds_total',
    help: 'GPU time spent on each backend by ended attempts',
    labelNames: ['backend'],
    registers: [registry],
    async collect() {
      this.reset();
      const byBackend = new Map<string, number>();
      for (const t of await readTotals()) byBackend.set(t.backend, (byBackend.get(t.backend) ?? 0) + t.gpuMs);
      for (const [backend, ms] of byBackend) this.inc({ backend }, ms / 1000);
    },
  });
}
