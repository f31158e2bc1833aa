import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal, type JobEvent } from '../../../core/events.js';
import type { JobEventBus } from '../../../core/ports.js';
import type { JobRecord } from '../../../core/records.js';
import { completeWorkflow, originals, uploadResult, type FinalPostDeps, type WorkflowResult } from './final-post.js';
import { readSlackReply, type SlackReply } from './reply-handle.js';
import { isFinalState, renderReply, type ReplyState } from './reply-view.js';
import type { WorkspaceLimiter } from './workspace-limiter.js';

export interface ReplyTrackerDeps extends FinalPostDeps {
  getJob(jobId: string): Promise<JobRecord | null>;
  queuePosition(job: JobRecord): Promise<number>;
  setReply(jobId: string, reply: SlackReply): Promise<void>;
  jobsToResume(): Promise<string[]>;
  events: JobEventBus;
  limiter: WorkspaceLimiter;
  /** Least time between two edits of one message (Slack asks for about one a second). */
  minEditIntervalMs: number;
}

interface Tracked {
  job: JobRecord;
  reply: SlackReply;
  state: ReplyState;
  sawEvent: boolean;
  sentKey?: string;
  sentAt: number;
  pumping?: Promise<void>;
  again?: boolean;
  finalizing: boolean;
  cancelledBy?: string;
}

/** Job event -> what the message should show (undefined: nothing to show for it). */
function stateFromEvent(event: JobEvent): ReplyState | undefined {
  switch (event.type) {
    case 'queued':
      return { kind: 'queued', position: event.position };
    case 'started':
      return { kind: 'running', percent: 0, stage: 'starting' };
    case 'progress':
      return { kind: 'running', percent: event.percent, stage: event.stage, step: event.step, totalSteps: event.totalSteps };
    case 'saving':
      return { kind: 'saving', percent: event.percent };
    case 'failed':
      return event.willRetry ? { kind: 'retrying' } : undefined;
    case 'retrying':
      return { kind: 'retrying', reason: event.reason };
    default:
      return undefined;
  }
}

/**
 * Owns the live Slack messages of jobs: renders job events into chat.update calls, throttled per
 * message (minEditIntervalMs) and per workspace (WorkspaceLimiter); only the latest state is sent
 * and an unchanged rendering is never re-sent. At the end it posts the result and marks the reply
 * landed in the record, which is what a restarted process resumes from.
 */
export class ReplyTracker {
  private readonly tracked = new Map<string, Tracked>();
  private unsubscribe: (() => Promise<void>) | undefined;
  private readonly stopping = new AbortController();
  private readonly finishing = new Set<Promise<void>>();

  constructor(private readonly deps: ReplyTrackerDeps) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.deps.events.subscribe((event) => this.onEvent(event));
    const ids = await this.deps.jobsToResume();
    for (const id of ids) {
      const job = await this.deps.getJob(id);
      const reply = readSlackReply(job?.reply);
      if (job && reply) await this.follow(job, reply);
    }
    if (ids.length > 0) this.deps.log.info({ count: ids.length }, 'resumed Slack replies');
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.stopping.abort();
    await Promise.allSettled([...this.finishing]);
    this.tracked.clear();
  }

  /** Posts a new job's message at once ("queued — Nth in line"), records where it is, follows it. */
  async announce(job: JobRecord, reply: SlackReply, state: ReplyState): Promise<void> {
    const rendered = renderReply(job, state, this.links(job));
    const posted = await this.deps.client.chat.postMessage({ channel: reply.channel, text: rendered.text, blocks: rendered.blocks });
    const withTs: SlackReply = { ...reply, ts: posted.ts as string };
    await Promise.all([this.deps.setReply(job.id, withTs), this.follow(job, withTs, state)]);
  }

  /** Starts (or resumes) following a job's reply; the record is the truth for what it shows now. */
  async follow(job: JobRecord, reply: SlackReply, initial?: ReplyState): Promise<void> {
    if (this.tracked.has(job.id)) return;
    const t: Tracked = { job, reply, state: initial ?? { kind: 'queued', position: 1 }, sawEvent: false, finalizing: false, sentAt: 0 };
    if (initial && reply.ts) {
      // The caller just posted this state; no need to post it again.
      t.sentKey = JSON.stringify(renderReply(job, initial, this.links(job)));
      t.sentAt = Date.now();
    }
    this.tracked.set(job.id, t);
    const fresh = await this.deps.getJob(job.id);
    if (!fresh) {
      this.tracked.delete(job.id);
      return;
    }
    t.job = fresh;
    if (!reply.ts) await this.postFirst(t);
    if (fresh.status === 'completed' || fresh.status === 'failed' || fresh.status === 'cancelled') return this.finish(t);
    if (!t.sawEvent && !initial) {
      t.state = fresh.status === 'running'
        ? { kind: 'running', percent: fresh.progress, stage: fresh.stage }
        : { kind: 'queued', position: await this.deps.queuePosition(fresh) };
    }
    void this.kick(t);
  }

  /** Renders a job's final message again (after Delete) through the same limits. */
  async rerenderFinal(job: JobRecord, reply: SlackReply, state: ReplyState): Promise<void> {
    if (!reply.ts) return;
    const rendered = renderReply(job, state, this.links(job));
    await this.deps.limiter.schedule(reply.teamId, 'final', () =>
      this.deps.client.chat.update({ channel: reply.channel, ts: reply.ts!, text: rendered.text, blocks: rendered.blocks }),
    );
  }

  private links(job: JobRecord) {
    return { project: this.deps.projectUrl(job) };
  }

  private onEvent(event: JobEvent): void {
    const t = this.tracked.get(event.jobId);
    if (!t || t.finalizing) return;
    t.sawEvent = true;
    if (event.type === 'cancelled') t.cancelledBy = event.by;
    if (isTerminal(event)) {
      this.finish(t);
      return;
    }
    const next = stateFromEvent(event);
    // A place-in-line update can arrive after the job already started elsewhere: never step back.
    if (next?.kind === 'queued' && t.state.kind !== 'queued') return;
    if (next) {
      t.state = next;
      void this.kick(t);
    }
  }

  private async postFirst(t: Tracked): Promise<void> {
    const rendered = renderReply(t.job, t.state, this.links(t.job));
    const posted = await this.deps.client.chat.postMessage({ channel: t.reply.channel, text: rendered.text, blocks: rendered.blocks });
    t.reply = { ...t.reply, ts: posted.ts as string };
    t.sentKey = JSON.stringify(rendered);
    t.sentAt = Date.now();
    await this.deps.setReply(t.job.id, t.reply);
  }

  private kick(t: Tracked): Promise<void> {
    if (t.pumping) {
      // The running loop may be on its way out; `again` makes it look once more.
      t.again = true;
      return t.pumping;
    }
    const run = async () => {
      try {
        do {
          t.again = false;
          await this.pump(t);
        } while (t.again && !this.stopping.signal.aborted);
      } catch (error) {
        this.deps.log.error({ err: error, jobId: t.job.id }, 'Slack reply loop failed');
      } finally {
        // Same synchronous step as the last `again` check: no state can slip in between.
        t.pumping = undefined;
      }
    };
    t.pumping = run();
    return t.pumping;
  }

  /** Sends the latest state until what Slack shows matches it; one loop per message at a time. */
  private async pump(t: Tracked): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted && t.reply.ts) {
      const rendered = renderReply(t.job, t.state, this.links(t.job));
      const key = JSON.stringify(rendered);
      if (key === t.sentKey) return;
      const final = isFinalState(t.state);
      const wait = final ? 0 : t.sentAt + this.deps.minEditIntervalMs - Date.now();
      if (wait > 0) {
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        continue;
      }
      try {
        await this.deps.limiter.schedule(t.reply.teamId, final ? 'final' : 'progress', () =>
          this.deps.client.chat.update({ channel: t.reply.channel, ts: t.reply.ts!, text: rendered.text, blocks: rendered.blocks }),
        );
      } catch (error) {
        if (signal.aborted) return;
        // A deleted message or a refused edit: this state is given up; a later one may still land.
        this.deps.log.warn({ err: error, jobId: t.job.id }, 'could not update a Slack reply');
      }
      t.sentKey = key;
      t.sentAt = Date.now();
    }
  }

  private finish(t: Tracked): void {
    if (t.finalizing) return;
    t.finalizing = true;
    const done = this.finalize(t)
      .catch((error: unknown) => this.deps.log.error({ err: error, jobId: t.job.id }, 'could not post a Slack job result'))
      .finally(() => {
        this.finishing.delete(done);
        if (this.tracked.get(t.job.id) === t) this.tracked.delete(t.job.id);
      });
    this.finishing.add(done);
  }

  private async finalize(t: Tracked): Promise<void> {
    const job = (await this.deps.getJob(t.job.id)) ?? t.job;
    t.job = job;
    const assets = job.status === 'completed' ? await originals(this.deps, job.id) : [];
    t.state = finalState(job, assets.length, t.cancelledBy);
    await this.kick(t);
    if (this.stopping.signal.aborted) return;
    if (job.status === 'completed') await uploadResult(this.deps, job, t.reply, assets);
    const result: WorkflowResult = job.status === 'completed'
      ? { ok: true, assets }
      : { ok: false, reason: job.status === 'cancelled' ? 'The image job was cancelled.' : `The image could not be made: ${job.errorMessage ?? 'the generation failed'}${job.errorRef ? ` (reference ${job.errorRef})` : ''}.` };
    await completeWorkflow(this.deps, job, t.reply, result);
    t.reply = { ...t.reply, landed: true };
    await this.deps.setReply(job.id, t.reply);
  }
}

/** The final state from the record (events may have been missed across a restart). */
export function finalState(job: JobRecord, images: number, cancelledBy?: string): ReplyState {
  if (job.status === 'completed') {
    const durationMs = job.startedAt && job.finishedAt ? job.finishedAt.getTime() - job.startedAt.getTime() : 0;
    return { kind: 'completed', durationMs, backend: job.backend ?? 'unknown', seed: job.seed, images, ...(images === 0 ? { deleted: true } : {}) };
  }
  if (job.status === 'cancelled') return { kind: 'cancelled', by: cancelledBy ?? 'user' };
  return { kind: 'failed', message: job.errorMessage, ref: job.errorRef };
}
