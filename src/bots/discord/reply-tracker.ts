import type { JobEvent } from '../../core/events.js';
import type { JobEventBus } from '../../core/ports.js';
import type { AssetRecord, JobRecord } from '../../core/records.js';
import type { PendingReply } from '../../core/records.js';
import type { Logger } from '../../shared/logger.js';
import { LiveReply, type LiveReplyDeps } from './live-reply.js';
import { readDiscordReply, type DiscordReply } from './reply-handle.js';
import type { JobSummary } from './render.js';
import { viewFromEvent, viewFromRecord, type ReplyView } from './views.js';

/** The records the tracker reads: a narrow slice of the system of record. */
export interface TrackerRecords {
  getJob(jobId: string): Promise<JobRecord | null>;
  listAssets(jobId: string): Promise<AssetRecord[]>;
  queuePosition(job: JobRecord): Promise<number>;
  repliesToResume(): Promise<PendingReply[]>;
}

export interface TrackerDeps extends Omit<LiveReplyDeps, 'onDone'> {
  events: JobEventBus;
  records: TrackerRecords;
  log: Logger;
}

export function summarize(job: JobRecord): JobSummary {
  const asked = (job.request as { prompt?: unknown } | null)?.prompt;
  return { jobId: job.id, prompt: typeof asked === 'string' ? asked : job.promptSent, userId: job.userExternalId, projectSlug: job.projectSlug };
}

/**
 * Renders job events into the Discord messages this process owns. Which messages those are comes
 * from the records (jobs.reply), so a restarted process picks up exactly where the last one stopped.
 */
export class ReplyTracker {
  private readonly replies = new Map<string, LiveReply>();
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly deps: TrackerDeps) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.deps.events.subscribe((event) => this.onEvent(event));
  }

  /** Starts rendering a new job's message with its first view (usually "queued"). */
  track(job: JobSummary, reply: DiscordReply, first: ReplyView): void {
    const live = new LiveReply(reply, job, { ...this.deps, onDone: (jobId) => this.replies.delete(jobId) });
    // A re-tracked job replaces its old renderer; a failure to stop the old one is logged, not fatal.
    this.replies.get(job.jobId)?.stop().catch((error: unknown) => this.deps.log.warn({ err: error, jobId: job.jobId }, 'could not stop a replaced reply'));
    this.replies.set(job.jobId, live);
    live.show(first);
  }

  get tracked(): number {
    return this.replies.size;
  }

  /** Every unfinished (or not yet landed) Discord reply in the records, shown in its current state. */
  async resume(): Promise<number> {
    let resumed = 0;
    for (const pending of await this.deps.records.repliesToResume()) {
      const reply = readDiscordReply(pending.reply);
      const job = reply && (await this.deps.records.getJob(pending.jobId));
      if (!reply || !job || reply.landed || this.replies.has(job.id)) continue;
      const [assets, position] = await Promise.all([this.deps.records.listAssets(job.id), this.deps.records.queuePosition(job)]);
      this.track(summarize(job), reply, viewFromRecord(job, assets, position));
      resumed += 1;
    }
    return resumed;
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.replies.values()].map((live) => live.stop()));
    this.replies.clear();
  }

  private onEvent(event: JobEvent): void {
    const live = this.replies.get(event.jobId);
    if (!live) return;
    if (event.type !== 'completed') {
      live.show(viewFromEvent(event));
      return;
    }
    this.finalView(event)
      .then((view) => live.show(view))
      .catch((error: unknown) => this.deps.log.error({ err: error, jobId: event.jobId }, 'could not load the finished job'));
  }

  private async finalView(event: Extract<JobEvent, { type: 'completed' }>): Promise<ReplyView> {
    const [job, assets] = await Promise.all([this.deps.records.getJob(event.jobId), this.deps.records.listAssets(event.jobId)]);
    if (!job) throw new Error(`job ${event.jobId} vanished after completing`);
    return { kind: 'completed', job, assets, durationMs: event.durationMs, backend: event.backend, seed: event.seed };
  }
}
