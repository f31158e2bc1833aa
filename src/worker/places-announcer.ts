import type { JobEvent } from '../core/events.js';
import type { Eta } from '../core/wait/estimate.js';
import type { Logger } from '../shared/logger.js';

/** Places in line re-announced at a time; further back, the number shown is refreshed as jobs move up. */
const PLACES_TO_REFRESH = 25;
/** A person reads "Nth in line" at human speed: one refresh a second is plenty, and bounded work under load. */
const DEFAULT_INTERVAL_MS = 1_000;

/**
 * While jobs wait, their estimates are refreshed this often even if no job starts: a running job
 * slower than expected pushes every start back, and the messages should say so.
 */
const DEFAULT_DRIFT_REFRESH_MS = 15_000;

export interface PlacesSource {
  queuedPlaces(limit: number): Promise<Array<{ id: string; position: number; eta?: Eta }>>;
}

/**
 * Tells the queued jobs their new place in line when jobs start. Starts that come close together
 * share one read and one round of events: the first runs at once, later ones within the interval
 * fold into one trailing refresh, so a busy worker does not announce every place for every job.
 */
export class PlacesAnnouncer {
  private lastRun = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  private trailing: NodeJS.Timeout | undefined;
  private drift: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly source: PlacesSource,
    private readonly publish: (event: JobEvent) => Promise<void>,
    private readonly log: Logger,
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
    private readonly driftRefreshMs = DEFAULT_DRIFT_REFRESH_MS,
  ) {}

  /** A job started: everyone behind it moved up. */
  jobStarted(): void {
    if (this.closed || this.trailing) return;
    const wait = this.lastRun + this.intervalMs - Date.now();
    if (wait <= 0 && !this.running) {
      this.running = this.refresh();
      return;
    }
    // Also covers a refresh in flight: its read may predate this start.
    this.trailing = setTimeout(() => {
      this.trailing = undefined;
      void (this.running ?? Promise.resolve()).then(() => {
        if (!this.closed) this.running = this.refresh();
      });
    }, Math.max(wait, 0));
    this.trailing.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.trailing);
    clearTimeout(this.drift);
    this.trailing = undefined;
    await this.running;
  }

  private async refresh(): Promise<void> {
    this.lastRun = Date.now();
    try {
      const places = await this.source.queuedPlaces(PLACES_TO_REFRESH);
      const at = Date.now();
      await Promise.all(places.map((p) => this.publish({ type: 'queued', jobId: p.id, at, position: p.position, ...(p.eta ? { eta: p.eta } : {}) })));
      clearTimeout(this.drift);
      if (places.length > 0 && !this.closed) {
        this.drift = setTimeout(() => this.jobStarted(), this.driftRefreshMs);
        this.drift.unref();
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not refresh places in line');
    } finally {
      this.running = undefined;
    }
  }
}
