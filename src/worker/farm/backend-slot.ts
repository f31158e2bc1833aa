import type { BackendActivity, BackendStatus } from '../../core/farm-state.js';

/** What a slot needs from one of its BullMQ workers (one per route it serves). */
export interface RouteWorker {
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): void | Promise<void>;
  isPaused(): boolean;
  cancelJob(jobId: string, reason?: string): boolean;
  /** How many jobs it may hold at once (fetched, on the box, or settling); set by the slot. */
  concurrency: number;
}

export interface SlotIdentity {
  name: string;
  kind: string;
  server?: string;
  /** The worker process serving it (host:pid:...). */
  worker: string;
}

/** The hold a job has on its backend's box, for processJob: let go once the backend is done, take again for a re-render. */
export interface BoxHold {
  /** Waits for a free lane on the box (immediate while the job holds one). */
  acquire(): Promise<void>;
  /** The backend has finished with this job (outputs in hand): the next prompt may go out. */
  release(): void;
}

/**
 * One backend of the farm as its worker sees it, and the gate that keeps at most `capacity`
 * prompts on it at once across all its route workers. A job holds a lane of the box from the
 * moment it is let in until the backend has finished with it (its outputs downloaded); it then
 * settles (media, records, queue) off the box while the next prompt already runs there. So that
 * the next job can be fetched meanwhile, each route worker's BullMQ concurrency is its own jobs in
 * process plus the free lanes; at most `capacity` jobs settle at once, so a slow settle (a
 * Postgres outage) holds the box back instead of piling up jobs. Route workers run exactly while
 * the box takes work and has a free lane; `sync` pauses and resumes them to match. A job fetched
 * in a race (two route workers at the instant a lane freed) is refused by `enter` and handed back.
 */
export class BackendSlot {
  /** Jobs holding a lane of the box. */
  readonly running = new Set<string>();
  /** Every job of this slot still in its processor (on the box or settling), with its route. */
  private readonly inProcess = new Map<string, string>();
  /** Re-renders waiting for a lane (their job is in process, off the box). */
  private readonly laneWaiters: Array<{ jobId: string; resolve: () => void }> = [];
  private readonly workers = new Map<string, RouteWorker>();
  private routes = new Set<string>();
  private templates: string[] = [];
  private models: string[] = [];
  private drained = false;
  private retired = false;
  private down = false;
  private outage = false;
  /** A backend that said "busy, try later" takes no new job until then. */
  private coolingUntil = 0;
  private coolTimer: NodeJS.Timeout | undefined;
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

  get isRetired(): boolean {
    return this.retired;
  }

  get routeKeys(): ReadonlySet<string> {
    return this.routes;
  }

  /** Jobs in process, on the box or settling. */
  get jobCount(): number {
    return this.inProcess.size;
  }

  get state(): BackendActivity {
    if (this.down) return 'down';
    if (this.drained || this.retired) return this.running.size > 0 ? 'draining' : 'drained';
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

  /** Removed from the farm: no new work, for good; the jobs in process finish. */
  retire(): void {
    this.retired = true;
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

  /** The backend said it is busy: no new work for `ms` (its own trouble; the other backends go on). */
  coolDown(ms: number, now = Date.now()): void {
    this.coolingUntil = Math.max(this.coolingUntil, now + ms);
    clearTimeout(this.coolTimer);
    this.coolTimer = setTimeout(() => {
      this.coolTimer = undefined;
      this.sync();
    }, Math.max(0, this.coolingUntil - now));
    this.coolTimer.unref();
    this.sync();
  }

  get isCooling(): boolean {
    return this.coolingUntil > Date.now();
  }

  private takesWork(): boolean {
    return !this.drained && !this.retired && !this.down && !this.outage && !this.isCooling;
  }

  /** A lane is free for a new job: none taken or promised to a re-render, and the settling jobs within bounds. */
  private hasRoom(): boolean {
    return this.running.size + this.laneWaiters.length < this.capacity && this.inProcess.size < 2 * this.capacity;
  }

  /** Takes a lane for a job a route worker fetched; false: hand it back (full, drained, down, or a route it cannot run now). */
  enter(jobId: string, route: string): boolean {
    if (!this.takesWork() || !this.hasRoom() || !this.routes.has(route)) {
      this.sync();
      return false;
    }
    this.inProcess.set(jobId, route);
    this.running.add(jobId);
    this.sync();
    return true;
  }

  /** The hold `enter` gave this job, for processJob. */
  holdOf(jobId: string): BoxHold {
    return { acquire: () => this.acquireLane(jobId), release: () => this.releaseLane(jobId) };
  }

  /** Lets the job off the box (the backend is done with it); it stays in process until `leave`. */
  releaseLane(jobId: string): void {
    if (!this.running.delete(jobId)) return;
    this.handLaneOn();
    this.sync();
  }

  /** A lane for a job in process that must render again (its quality re-render); waits its turn. */
  acquireLane(jobId: string): Promise<void> {
    if (this.running.has(jobId) || !this.inProcess.has(jobId)) return Promise.resolve();
    if (this.running.size < this.capacity) {
      this.running.add(jobId);
      this.sync();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.laneWaiters.push({ jobId, resolve });
      this.sync();
    });
  }

  private handLaneOn(): void {
    while (this.laneWaiters.length > 0 && this.running.size < this.capacity) {
      const next = this.laneWaiters.shift()!;
      this.running.add(next.jobId);
      next.resolve();
    }
  }

  /** The job's processor is done with it (settled, failed or handed back). */
  leave(jobId: string): void {
    this.inProcess.delete(jobId);
    this.running.delete(jobId);
    const waiting = this.laneWaiters.findIndex((w) => w.jobId === jobId);
    if (waiting >= 0) this.laneWaiters.splice(waiting, 1)[0]!.resolve();
    this.handLaneOn();
    this.sync();
  }

  /** Stops the jobs on the box with this reason (the backend went down); settling jobs need it no more. */
  abortRunning(reason: string): void {
    for (const jobId of this.running) for (const worker of this.workers.values()) worker.cancelJob(jobId, reason);
  }

  /**
   * Route workers run exactly while the backend takes work, has a free lane, and can run their
   * route; each may hold its own jobs in process plus the free lanes (BullMQ fetches while its
   * jobs number fewer than its concurrency, and counts a settling job as one).
   */
  sync(): void {
    const room = this.takesWork() && this.hasRoom();
    const freeLanes = room ? this.capacity - this.running.size : 0;
    for (const [route, worker] of this.workers) {
      const wanted = room && this.routes.has(route);
      let own = 0;
      for (const r of this.inProcess.values()) if (r === route) own++;
      const concurrency = Math.max(1, own + (wanted ? freeLanes : 0));
      // Set before a resume, so the woken loop fetches no more than the lanes allow.
      if (worker.concurrency !== concurrency) worker.concurrency = concurrency;
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

  /** Stops its cool-down timer (the slot is being let go). */
  dispose(): void {
    clearTimeout(this.coolTimer);
    this.coolTimer = undefined;
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
