import type { JobEvent } from '../events.js';
import type { JobEventBus } from '../ports.js';
import type { AssetRecord, JobRecord } from '../records.js';
import { LiveMessage, type LiveLog } from './live-message.js';
import { apply, fromRecord, isFinal, type JobMessage } from './model.js';
import type { LivePort, ReplyHandle } from './port.js';
import type { Eta } from '../wait/estimate.js';

/** The records the live messages read: a narrow slice of the system of record. */
export interface LiveRecords {
  getJob(jobId: string): Promise<JobRecord | null>;
  listAssets(jobId: string): Promise<AssetRecord[]>;
  queuePosition(job: JobRecord): Promise<number>;
  /** One query, one policy for every platform (db/reply-records): unfinished or not landed replies. */
  repliesToResume(platform: string): Promise<Array<{ jobId: string; reply: unknown }>>;
}

export interface LiveMessagesDeps<H extends ReplyHandle, R> {
  port: LivePort<H, R>;
  records: LiveRecords;
  events: JobEventBus;
  log: LiveLog;
  /**
   * A message that heard nothing for this long is checked against the record, so a lost pub/sub
   * message (Redis restart, network blip) still ends the reply. Default 30 s.
   */
  recheckMs?: number;
  now?: () => number;
}

const DEFAULT_RECHECK_MS = 30_000;

/**
 * Every live job message of one platform in this process: events in, renders out through the
 * platform's port. Which messages those are comes from the records (jobs.reply), so a restarted
 * process picks up exactly where the last one stopped.
 */
export class LiveMessages<H extends ReplyHandle, R> {
  private readonly live = new Map<string, LiveMessage<H, R>>();
  /** Events of jobs whose first message is being posted: applied once it is followed, not lost. */
  private readonly announcing = new Map<string, JobEvent[]>();
  private unsubscribe: (() => Promise<void>) | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private rechecking: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly recheckMs: number;

  constructor(private readonly deps: LiveMessagesDeps<H, R>) {
    this.now = deps.now ?? Date.now;
    this.recheckMs = deps.recheckMs ?? DEFAULT_RECHECK_MS;
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.deps.events.subscribe((event) => this.onEvent(event));
    this.recheckTimer = setInterval(() => {
      this.rechecking ??= this.recheck().finally(() => (this.rechecking = undefined));
    }, Math.max(10, Math.floor(this.recheckMs / 2)));
    this.recheckTimer.unref();
  }

  get tracked(): number {
    return this.live.size;
  }

  /**
   * A new job's message: posts it first when the handle has no message yet (Slack), records where
   * it is, then follows the job. Resolves once the first state is on the platform or queued for it.
   */
  async announce(job: JobRecord, handle: H, position: number, eta?: Eta): Promise<H> {
    const first = fromRecord(job, [], position, eta);
    const { port } = this.deps;
    // A job that ended before its reply (answered from an identical recipe's files): the driver
    // confirms it against the record (its files), posts or edits it, and lands it.
    if (port.hasMessage(handle) || isFinal(first)) {
      this.follow(first, handle);
      return handle;
    }
    const rendered = port.render(first, handle);
    // The worker may start the job while the message is posted: its first events wait here (a
    // dropped "started" or preview left a Slack message at "Queued" until the next step).
    const missed: JobEvent[] = [];
    this.announcing.set(job.id, missed);
    try {
      const posted = await port.post(handle, rendered);
      await port.save(job.id, posted);
      this.follow(first, posted, rendered);
      const live = this.live.get(job.id);
      if (live && missed.length > 0) live.show(missed.reduce(apply, live.message));
      return posted;
    } finally {
      if (this.announcing.get(job.id) === missed) this.announcing.delete(job.id);
    }
  }

  /** Every unfinished (or not yet landed) reply of this platform in the records, in its current state. */
  async resume(): Promise<number> {
    let resumed = 0;
    for (const pending of await this.deps.records.repliesToResume(this.deps.port.platform)) {
      const handle = this.deps.port.readHandle(pending.reply);
      if (!handle || handle.landed || this.live.has(pending.jobId)) continue;
      const message = await this.fromRecords(pending.jobId);
      if (!message) continue;
      this.follow(message, handle);
      resumed += 1;
    }
    if (resumed > 0) this.deps.log.info({ count: resumed, platform: this.deps.port.platform }, 'resumed live job messages');
    return resumed;
  }

  /** Renders a landed message again from the record (after its files were deleted): one write. */
  async refresh(jobId: string): Promise<void> {
    const job = await this.deps.records.getJob(jobId);
    const handle = job && this.deps.port.readHandle(job.reply);
    if (!job || !handle || !this.deps.port.hasMessage(handle)) return;
    const message = fromRecord(job, await this.deps.records.listAssets(jobId));
    await this.deps.port.edit(handle, this.deps.port.render(message, handle), { message, final: isFinal(message) });
  }

  async stop(): Promise<void> {
    clearInterval(this.recheckTimer);
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.rechecking;
    await Promise.all([...this.live.values()].map((live) => live.stop()));
    this.live.clear();
  }

  private follow(first: JobMessage, handle: H, shown?: R): void {
    const jobId = first.job.jobId;
    const live = new LiveMessage(handle, first, {
      port: this.deps.port,
      confirm: (id) => this.fromRecords(id),
      log: this.deps.log,
      onDone: (id) => {
        if (this.live.get(id) === live) this.live.delete(id);
      },
      now: this.now,
    }, shown);
    // A re-tracked job replaces its old message driver.
    this.live.get(jobId)?.stop().catch((error: unknown) => this.deps.log.warn({ err: error, jobId }, 'could not stop a replaced reply'));
    if (!live.done) this.live.set(jobId, live);
  }

  private async fromRecords(jobId: string): Promise<JobMessage | undefined> {
    const job = await this.deps.records.getJob(jobId);
    if (!job) return undefined;
    const [assets, position] = await Promise.all([
      job.status === 'completed' ? this.deps.records.listAssets(jobId) : Promise.resolve([]),
      job.status === 'queued' ? this.deps.records.queuePosition(job) : Promise.resolve(1),
    ]);
    return fromRecord(job, assets, position);
  }

  private onEvent(event: JobEvent): void {
    const live = this.live.get(event.jobId);
    if (live) live.show(apply(live.message, event));
    else this.announcing.get(event.jobId)?.push(event);
  }

  /** Quiet unfinished messages against the record: an ended job ends its message. */
  private async recheck(): Promise<void> {
    const due = [...this.live.values()].filter((live) => !isFinal(live.message) && this.now() - live.changedAt >= this.recheckMs);
    for (const live of due) {
      try {
        const recorded = await this.fromRecords(live.jobId);
        if (recorded && isFinal(recorded)) {
          this.deps.log.info({ jobId: live.jobId, stage: recorded.stage }, 'the job ended without its event reaching us; ending the message from the record');
          live.show(recorded);
        } else {
          live.changedAt = this.now();
        }
      } catch (error) {
        this.deps.log.warn({ err: error, jobId: live.jobId }, 'could not re-check a job against the record');
      }
    }
  }
}
