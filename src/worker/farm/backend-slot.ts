import type { BackendActivity, BackendStatus } from '../../core/farm-state.js';

/** What a slot needs from one of its BullMQ workers (one per route it serves). */
export interface RouteWorker {
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): void | Promise<void>;
  isPaused(): boolean;
  cancelJob(jobId: string, reason?: string): boolean;
}

export interface SlotIdentity {
  name: string;
  kind: string;
  server?: string;
  /** The worker process serving it (host:pid:...). */
  worker: string;
}

/**
 * One backend of the farm as its worker sees it: the gate that lets at most `capacity` prompts
 * run on it at once across all its route workers, and what it is doing (idle, busy, draining,
 * drained, down). Its route workers run only while it takes work and has room; `sync` pauses and
 * resumes them to match, so a full or drained backend fetches nothing. A job fetched in a race
 * (two route workers fetching at the instant it became free) is refused by `enter` and handed back.
 */
export class BackendSlot {
  readonly running = new Set<string>();
  private readonly workers = new Map<string, RouteWorker>();
  private routes = new Set<string>();
  private templates: string[] = [];
  private models: string[] = [];
  private drained = false;
  private down = false;
  private outage = false;
  private shownState: BackendActivity | undefined;
  private since = Date.now();

  constructor(
    readonly identity: SlotIdentity,
    private readonly capacity: number,
    /** Told of every change of state (the status is written there and every few seconds). */
    private readonly onChange: (slot: BackendSlot) => void,
  ) {}

  get name(): string {
    return this.identity.name;
  }

  get isDown(): boolean {
    return this.down;
  }

  get isDrained(): boolean {
    return this.drained;
  }

  get routeKeys(): ReadonlySet<string> {
    return this.routes;
  }

  get state(): BackendActivity {
    if (this.down) return 'down';
    if (this.drained) return this.running.size > 0 ? 'draining' : 'drained';
    return this.running.size > 0 ? 'busy' : 'idle';
  }

  addWorker(route: string, worker: RouteWorker): void {
    this.workers.set(route, worker);
  }

  hasWorker(route: string): boolean {
    return this.workers.has(route);
  }

  /** What the last capability check found it can run. */
  setCapabilities(routes: readonly string[], templates: readonly string[], models: readonly string[]): void {
    this.routes = new Set(routes);
    this.templates = [...templates];
    this.models = [...models];
    this.sync();
  }

  setDrained(drained: boolean): void {
    if (this.drained === drained) return;
    this.drained = drained;
    this.sync();
  }

  setDown(down: boolean): void {
    if (this.down === down) return;
    this.down = down;
    this.sync();
  }

  /** A Postgres outage: no new work on any backend until it answers. */
  setOutage(outage: boolean): void {
    this.outage = outage;
    this.sync();
  }

  private takesWork(): boolean {
    return !this.drained && !this.down && !this.outage;
  }

  /** Takes the gate for a job a route worker fetched; false: hand it back (full, drained, down, or a route it cannot run now). */
  enter(jobId: string, route: string): boolean {
    if (!this.takesWork() || this.running.size >= this.capacity || !this.routes.has(route)) {
      this.sync();
      return false;
    }
    this.running.add(jobId);
    this.sync();
    return true;
  }

  leave(jobId: string): void {
    this.running.delete(jobId);
    this.sync();
  }

  /** Stops its running jobs with this reason (the backend went down). */
  abortRunning(reason: string): void {
    for (const jobId of this.running) for (const worker of this.workers.values()) worker.cancelJob(jobId, reason);
  }

  /** Route workers run exactly while the backend takes work, has room, and can run their route. */
  sync(): void {
    const room = this.takesWork() && this.running.size < this.capacity;
    for (const [route, worker] of this.workers) {
      const wanted = room && this.routes.has(route);
      if (wanted && worker.isPaused()) void worker.resume();
      else if (!wanted && !worker.isPaused()) void worker.pause(true);
    }
    const state = this.state;
    if (state !== this.shownState) {
      this.shownState = state;
      this.since = Date.now();
      this.onChange(this);
    }
  }

  status(now: number, freshForMs: number): BackendStatus {
    const jobId = this.running.values().next().value;
    return {
      ...this.identity,
      state: this.state,
      ...(jobId !== undefined && (this.state === 'busy' || this.state === 'draining') ? { jobId } : {}),
      since: this.since,
      templates: this.templates,
      models: this.models,
      updatedAt: now,
      freshUntil: now + freshForMs,
    };
  }
}
