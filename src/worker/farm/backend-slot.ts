import { JobCancelledError } from '../../core/errors.js';
import { BOX_WITHDRAWN_REASON } from '../../core/generator.js';
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
  /**
   * Waits for a free lane on the box (immediate while the job holds one). Rejects with
   * JobCancelledError when `signal` aborts first, and with BoxWithdrawnError when the box stops
   * taking work (down, drained, removed, busy) before a job let in ahead got its first lane.
   * Resolves true when the job had to be given a lane now (it waited: let in ahead, or a re-render).
   */
  acquire(signal?: AbortSignal): Promise<boolean>;
  /** The backend has finished with this job (outputs in hand): the next prompt may go out. */
  release(): void;
  /** The job on the box expects to be done within READY_LEAD_MS: the next job may be let in ahead and prepared. */
  nearlyDone(): void;
  /** True while the job was let in ahead and has not had its lane yet. */
  isReady(): boolean;
}

/**
 * A job let in ahead of a free lane will not get one on this box: it never reached the backend, so
 * it goes back to the queue with its attempt unspent, for another box.
 */
export class BoxWithdrawnError extends Error {
  constructor(readonly backend: string) {
    super(`backend ${backend} stopped taking work before the job reached it`);
    this.name = 'BoxWithdrawnError';
  }
}

/**
 * Jobs let in per box beyond its lanes: claimed and with their request built while the box finishes
 * the job before, so only the send is left when it frees. One is enough to hide that work (a job
 * takes seconds, the preparation tens of milliseconds).
 */
export const READY_AHEAD = 1;

/**
 * A ready place opens only once the job on the box expects to end within this long, so the line's
 * order (a newcomer's better priority) is decided at most about this early: ample for the
 * preparation (tens of milliseconds, a few hundred on a loaded machine), small beside a job.
 */
export const READY_LEAD_MS = 1_000;

interface LaneWaiter {
  jobId: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One backend of the farm as its worker sees it, and the gate that keeps at most `capacity`
 * prompts on it at once across all its route workers. A job holds a lane of the box from the
 * moment its prompt is about to go out until the backend has finished with it (ComfyUI's
 * "finished", before the download); it then settles (media, records, queue) off the box while the
 * next prompt already runs there. Beyond the lanes, READY_AHEAD jobs are let in early ("ready")
 * once the job on the box says it is nearly done (`nearlyDone`, within READY_LEAD_MS): each is
 * claimed, has its inputs uploaded and its graph built while the box finishes, and waits in
 * `acquire` for the lane, so the gap between one prompt ending and the next going out is the send
 * alone. A ready job that never got a lane is withdrawn (BoxWithdrawnError) as soon as the box
 * stops taking work. Each route worker's BullMQ concurrency is its own jobs in process plus the room
 * left; at most `capacity` jobs settle at once, so a slow settle (a Postgres outage) holds the box
 * back instead of piling up jobs. Route workers run exactly while the box takes work and has room;
 * `sync` pauses and resumes them to match. A job fetched in a race (two route workers at once) is
 * refused by `enter` and handed back.
 */
export class BackendSlot {
  /** Jobs holding a lane of the box. */
  readonly running = new Set<string>();
  /** Every job of this slot still in its processor (on the box or settling), with its route. */
  private readonly inProcess = new Map<string, string>();
  /** Jobs on the box that said they end within READY_LEAD_MS: each opens a ready place. */
  private readonly nearEnd = new Set<string>();
  /** Jobs let in ahead that have not had a lane yet (claimed and preparing, or waiting for the lane). */
  private readonly ready = new Set<string>();
  /** Ready jobs told to go back (the box stopped taking work): their acquire rejects. */
  private readonly withdrawn = new Set<string>();
  /** Jobs asking for a lane now: ready jobs and re-renders (their job is off the box); served in turn. */
  private readonly laneWaiters: LaneWaiter[] = [];
  /** Each contender's turn at a lane: a ready job's from when it was let in, a re-render's from when it asked. */
  private readonly turns = new Map<string, number>();
  private nextTurn = 0;
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
    if (this.running.size > 0) return 'busy';
    return this.isCooling ? 'cooling' : 'idle';
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
    // Drained means: the job on the box finishes, nothing more starts there.
    if (drained) this.withdrawReady();
    this.sync();
  }

  /** Removed from the farm: no new work, for good; the job on the box finishes. */
  retire(): void {
    this.retired = true;
    this.withdrawReady();
    this.sync();
  }

  setDown(down: boolean): void {
    if (this.down === down) return;
    this.down = down;
    if (down) this.withdrawReady();
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
    this.armCoolTimer(now);
    // The box would answer a ready job's prompt "busy" too.
    this.withdrawReady();
    this.sync();
  }

  /** Wakes the slot when the cool-down ends (again, if a timer fires a little early by Date.now()). */
  private armCoolTimer(now: number): void {
    clearTimeout(this.coolTimer);
    this.coolTimer = setTimeout(() => {
      this.coolTimer = undefined;
      if (this.isCooling) this.armCoolTimer(Date.now());
      this.sync();
    }, Math.max(1, this.coolingUntil - now));
    this.coolTimer.unref();
  }

  get isCooling(): boolean {
    return this.coolingUntil > Date.now();
  }

  private takesWork(): boolean {
    return !this.drained && !this.retired && !this.down && !this.outage && !this.isCooling;
  }

  /** Lanes taken or wanted: jobs on the box, ready jobs, and re-renders waiting (each contender has a turn). */
  private demand(): number {
    return this.running.size + this.turns.size;
  }

  /** Places beyond the lanes now: open once a job on the box is nearly done. */
  private readyPlaces(): number {
    return Math.min(READY_AHEAD, this.nearEnd.size);
  }

  /** Room for one more job: a free lane or an open ready place, and the settling jobs within bounds. */
  private hasRoom(): boolean {
    return this.demand() < this.capacity + this.readyPlaces() && this.inProcess.size < 2 * this.capacity + READY_AHEAD;
  }

  /**
   * Lets in a job a route worker fetched: on a free lane at once, else as a ready job that takes
   * the lane in `acquire`. False: hand it back (full, drained, down, or a route it cannot run now).
   */
  enter(jobId: string, route: string): boolean {
    if (!this.takesWork() || !this.hasRoom() || !this.routes.has(route)) {
      this.sync();
      return false;
    }
    this.inProcess.set(jobId, route);
    // A lane kept for a ready job still preparing is not free: the line's order holds on the box.
    if (this.running.size + this.turns.size < this.capacity) this.running.add(jobId);
    else {
      this.ready.add(jobId);
      this.turns.set(jobId, this.nextTurn++);
    }
    this.sync();
    return true;
  }

  /** The hold `enter` gave this job, for processJob. */
  holdOf(jobId: string): BoxHold {
    return { acquire: (signal) => this.acquireLane(jobId, signal), release: () => this.releaseLane(jobId), nearlyDone: () => this.markNearEnd(jobId), isReady: () => this.ready.has(jobId) };
  }

  /** The job on the box is nearly done: a ready place opens (once per render; a re-render asks again). */
  markNearEnd(jobId: string): void {
    if (!this.running.has(jobId) || this.nearEnd.has(jobId)) return;
    this.nearEnd.add(jobId);
    this.sync();
  }

  /** Lets the job off the box (the backend is done with it); it stays in process until `leave`. */
  releaseLane(jobId: string): void {
    this.nearEnd.delete(jobId);
    if (!this.running.delete(jobId)) return;
    this.handLaneOn();
    this.sync();
  }

  /** A lane for a job in process: a ready job's first, or a re-render's; waits its turn. */
  acquireLane(jobId: string, signal?: AbortSignal): Promise<boolean> {
    if (this.running.has(jobId) || !this.inProcess.has(jobId)) return Promise.resolve(false);
    if (this.withdrawn.has(jobId)) return Promise.reject(new BoxWithdrawnError(this.name));
    if (signal?.aborted) return Promise.reject(new JobCancelledError());
    // A re-render joins the line now; a ready job keeps the turn it got when it was let in.
    if (!this.turns.has(jobId)) this.turns.set(jobId, this.nextTurn++);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.dropWaiter(jobId);
        reject(new JobCancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (fn: () => void) => () => {
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      this.laneWaiters.push({ jobId, resolve: settle(() => resolve(true)), reject: (error) => settle(() => reject(error))() });
      this.handLaneOn();
      this.sync();
    });
  }

  private takeLane(jobId: string): void {
    this.ready.delete(jobId);
    this.turns.delete(jobId);
    this.running.add(jobId);
  }

  private dropWaiter(jobId: string): void {
    const at = this.laneWaiters.findIndex((w) => w.jobId === jobId);
    if (at >= 0) this.laneWaiters.splice(at, 1);
    this.handLaneOn();
    this.sync();
  }

  /** The job whose turn at a lane comes first: a ready job (asking or still preparing) or a waiting re-render. */
  private firstInLine(): string | undefined {
    let first: string | undefined;
    for (const [jobId, turn] of this.turns) if (first === undefined || turn < this.turns.get(first)!) first = jobId;
    return first;
  }

  /** Free lanes go out in turn; one whose turn belongs to a ready job still preparing is kept for it. */
  private handLaneOn(): void {
    while (this.running.size < this.capacity) {
      const next = this.firstInLine();
      const at = next === undefined ? -1 : this.laneWaiters.findIndex((w) => w.jobId === next);
      if (at < 0) return;
      const waiter = this.laneWaiters.splice(at, 1)[0]!;
      this.takeLane(waiter.jobId);
      waiter.resolve();
    }
  }

  /**
   * The box takes no more work: ready jobs that never had a lane go back (a re-render keeps its
   * place). Their preparation is stopped too, as it may be waiting on a box that no longer answers.
   */
  private withdrawReady(): void {
    for (const jobId of this.ready) {
      this.withdrawn.add(jobId);
      this.turns.delete(jobId);
      for (const worker of this.workers.values()) worker.cancelJob(jobId, BOX_WITHDRAWN_REASON);
      const at = this.laneWaiters.findIndex((w) => w.jobId === jobId);
      if (at >= 0) this.laneWaiters.splice(at, 1)[0]!.reject(new BoxWithdrawnError(this.name));
    }
    this.ready.clear();
  }

  /** The job's processor is done with it (settled, failed or handed back). */
  leave(jobId: string): void {
    this.inProcess.delete(jobId);
    this.running.delete(jobId);
    this.nearEnd.delete(jobId);
    this.ready.delete(jobId);
    this.withdrawn.delete(jobId);
    this.turns.delete(jobId);
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
   * Route workers run exactly while the backend takes work, has room, and can run their route;
   * each may hold its own jobs in process plus the room left (BullMQ fetches while its jobs number
   * fewer than its concurrency, and counts a settling or ready job as one).
   */
  sync(): void {
    const room = this.takesWork() && this.hasRoom();
    const freeLanes = room ? Math.min(this.capacity + this.readyPlaces() - this.demand(), 2 * this.capacity + READY_AHEAD - this.inProcess.size) : 0;
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
