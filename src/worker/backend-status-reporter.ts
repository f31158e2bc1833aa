import type { BackendActivity, BackendStatus } from '../core/farm-state.js';
import type { Logger } from '../shared/logger.js';

/** Where statuses go (src/infra/backend-states.ts in production). */
export interface BackendStatusSink {
  put(status: BackendStatus): Promise<void>;
  remove(name: string): Promise<void>;
}

/** Who the backend is: fixed for the reporter's life. */
export interface BackendIdentity {
  name: string;
  kind: string;
  /** The worker process serving it (host:pid:...). */
  worker: string;
  /** host:port, never with credentials. */
  server?: string;
}

export interface ReporterOptions {
  /** How often the status is written again while nothing changes (default 5 s). */
  refreshMs?: number;
  log?: Logger;
  now?: () => number;
}

const DEFAULT_REFRESH_MS = 5_000;
/** Readers trust a status for three refreshes: one slow or missed write is forgiven. */
const FRESH_REFRESHES = 3;

/**
 * Says what one backend is doing, for the dashboard, the farm API and the metrics: on every change
 * and every refreshMs while nothing changes, so a status that stops being refreshed (its worker is
 * gone) goes stale by itself. One reporter per backend; a worker serving several drives several.
 *
 * Calls never wait for Redis and never throw: writes go out one at a time in call order, each one
 * the latest status (a burst of changes costs one write per change at most, never a stale last
 * word), and a failed write is logged and made good by the next change or refresh.
 */
export class BackendStatusReporter {
  private state: BackendActivity = 'idle';
  /** Jobs running on it, oldest first: a worker with concurrency > 1 may hand one server several. */
  private readonly running: string[] = [];
  private since: number;
  private templates: string[] = [];
  private models: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(
    private readonly sink: BackendStatusSink,
    private readonly identity: BackendIdentity,
    private readonly options: ReporterOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    this.now = options.now ?? Date.now;
    this.since = this.now();
  }

  get name(): string {
    return this.identity.name;
  }

  /** Writes the first status and starts the refresh. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.write(), this.refreshMs);
    this.timer.unref();
    return this.write();
  }

  /** It runs jobId (its prompt went to the backend). */
  busy(jobId: string): void {
    if (!this.running.includes(jobId)) this.running.push(jobId);
    if (this.state === 'idle' || this.state === 'busy') this.enter('busy');
    else if (this.state === 'drained') this.enter('draining');
    else this.changed();
  }

  /** jobId's work on it ended (without an id: every job's); idle when nothing else runs. */
  idle(jobId?: string): void {
    if (jobId === undefined) this.running.length = 0;
    else {
      const at = this.running.indexOf(jobId);
      if (at >= 0) this.running.splice(at, 1);
    }
    if (this.running.length === 0 && this.state === 'busy') this.enter('idle');
    else if (this.running.length === 0 && this.state === 'draining') this.enter('drained');
    else this.changed();
  }

  /** It stopped answering. */
  down(): void {
    this.enter('down');
  }

  /** It answers again after being down: idle, or busy if a job still runs on it. */
  up(): void {
    if (this.state === 'down') this.enter(this.running.length > 0 ? 'busy' : 'idle');
  }

  /** An admin drained it: it finishes what runs and takes no more. */
  drained(): void {
    this.enter(this.running.length > 0 ? 'draining' : 'drained');
  }

  /** An admin resumed it. */
  resumed(): void {
    if (this.state === 'drained' || this.state === 'draining') this.enter(this.running.length > 0 ? 'busy' : 'idle');
  }

  /** What its last check found it can run. */
  capabilities(templates: string[], models: string[]): void {
    this.templates = [...templates];
    this.models = [...models];
    this.changed();
  }

  status(): BackendStatus {
    const now = this.now();
    const jobId = this.state === 'busy' || this.state === 'draining' ? this.running[0] : undefined;
    return {
      ...this.identity,
      state: this.state,
      ...(jobId ? { jobId } : {}),
      since: this.since,
      templates: this.templates,
      models: this.models,
      updatedAt: now,
      freshUntil: now + this.refreshMs * FRESH_REFRESHES,
    };
  }

  /** Resolves once every change made so far is written (or its write failed and was logged). */
  flush(): Promise<void> {
    return this.writing;
  }

  /** Stops refreshing and takes the backend out: no worker serves it any more. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.sink.remove(this.identity.name).catch((error: unknown) => this.options.log?.warn({ err: error, backend: this.name }, 'could not remove the backend status'));
  }

  private enter(state: BackendActivity): void {
    if (state !== this.state) {
      this.state = state;
      this.since = this.now();
    }
    this.changed();
  }

  private changed(): void {
    void this.write();
  }

  private write(): Promise<void> {
    if (this.closed) return this.writing;
    // The status is taken when the write goes out, not when it was asked for: latest wins.
    this.writing = this.writing.then(() =>
      this.closed
        ? undefined
        : this.sink.put(this.status()).catch((error: unknown) => this.options.log?.warn({ err: error, backend: this.name }, 'could not write the backend status')),
    );
    return this.writing;
  }
}
