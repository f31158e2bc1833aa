import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobEvent } from '../core/events.js';
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

  constructor(queue: Pick<JobQueue, 'size'>) {
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
