import { isFinal, settle, type JobMessage } from './model.js';
import type { LivePort, ReplyHandle } from './port.js';

/** The part of a logger the driver uses (pino's fits). */
export interface LiveLog {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const MAX_FINAL_ATTEMPTS = 3;

export interface LiveMessageDeps<H extends ReplyHandle, R> {
  port: LivePort<H, R>;
  /** The record's state now; every final state is confirmed there before it is shown. */
  confirm(jobId: string): Promise<JobMessage | undefined>;
  log: LiveLog;
  onDone(jobId: string): void;
  now?: () => number;
}

/**
 * One job's live message on one platform. States come in as fast as events do; writes go out at
 * most once per interval, the latest state wins, identical renders are never sent, and the final
 * state is always delivered (confirmed against the record, retried, then marked landed). Owns the
 * hand-over when the platform's handle dies (Discord's 15-minute interaction token).
 */
export class LiveMessage<H extends ReplyHandle, R> {
  private pending: JobMessage | undefined;
  private current: JobMessage;
  private lastJson: string | undefined;
  private lastSentAt = 0;
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private finalAttempts = 0;
  private stopped = false;
  private readonly now: () => number;
  /** When the last state change came in: the record re-check looks at quiet messages only. */
  changedAt: number;

  constructor(
    private handle: H,
    first: JobMessage,
    private readonly deps: LiveMessageDeps<H, R>,
    /** What the platform shows already (the caller posted it): not sent again. */
    shown?: R,
  ) {
    this.now = deps.now ?? Date.now;
    this.current = first;
    this.changedAt = this.now();
    if (shown !== undefined) {
      this.lastJson = JSON.stringify(shown);
      this.lastSentAt = this.now();
    } else {
      this.pending = first;
    }
    this.armExpiry();
    this.pump();
  }

  get jobId(): string {
    return this.current.job.jobId;
  }

  get message(): JobMessage {
    return this.current;
  }

  get done(): boolean {
    return this.stopped;
  }

  /** The next state (from apply, or from the record). A final state is never replaced. */
  show(next: JobMessage): void {
    if (this.stopped || next === this.current || isFinal(this.current)) return;
    this.current = next;
    this.pending = next;
    this.changedAt = this.now();
    this.pump();
  }

  /** Stops timers and waits for a write already on the wire; nothing more is sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.expiryTimer);
    await this.sending;
  }

  /** A queued job sends no events; the timer makes sure it still moves before its handle dies. */
  private armExpiry(): void {
    const expires = this.deps.port.expiresAt?.(this.handle);
    if (expires === undefined) return;
    this.expiryTimer = setTimeout(() => {
      if (!this.pending && !this.stopped) {
        this.pending = this.current;
        this.pump();
      }
    }, Math.max(0, expires - this.now()));
    this.expiryTimer.unref();
  }

  private pump(): void {
    if (this.stopped || this.sending || this.timer || !this.pending) return;
    const wait = this.lastSentAt + this.deps.port.intervalMs - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const message = this.pending;
    this.pending = undefined;
    this.sending = this.send(message)
      .catch((error: unknown) => this.onSendFailed(message, error))
      .finally(() => {
        this.sending = undefined;
        this.pump();
      });
  }

  private async send(candidate: JobMessage): Promise<void> {
    const message = isFinal(candidate) ? await this.confirmed(candidate) : candidate;
    const { port } = this.deps;
    const expires = port.expiresAt?.(this.handle);
    if (!port.hasMessage(this.handle)) {
      await this.post(message, this.handle);
    } else if (expires !== undefined && this.now() >= expires) {
      await this.handOver(message);
    } else {
      const rendered = port.render(message, this.handle);
      const json = JSON.stringify(rendered);
      if (json !== this.lastJson) {
        try {
          await port.edit(this.handle, rendered, { message, final: isFinal(message) });
          this.sent(json);
        } catch (error) {
          if (port.classify(error) !== 'expired' || !port.successor) throw error;
          this.deps.log.info({ jobId: this.jobId }, 'the reply handle no longer works; continuing in a new message');
          await this.handOver(message);
        }
      }
    }
    if (isFinal(message)) await this.land(message);
  }

  /** The final state as the record has it (files with their storage keys); the event's if it lags. */
  private async confirmed(candidate: JobMessage): Promise<JobMessage> {
    const chosen = settle(candidate, await this.deps.confirm(candidate.job.jobId));
    this.current = chosen;
    return chosen;
  }

  private async post(message: JobMessage, where: H): Promise<void> {
    const rendered = this.deps.port.render(message, where);
    this.handle = await this.deps.port.post(where, rendered);
    await this.deps.port.save(this.jobId, this.handle);
    this.sent(JSON.stringify(rendered));
  }

  /** Posts the current state with the successor handle, records it, and points the old one at it. */
  private async handOver(message: JobMessage): Promise<void> {
    const { port } = this.deps;
    if (!port.successor) throw new Error(`${port.platform} reply handle expired and has no successor`);
    const previous = this.handle;
    await this.post(message, port.successor(previous));
    clearTimeout(this.expiryTimer);
    await port
      .retire?.(previous, this.handle, port.render(message, this.handle))
      .catch((error: unknown) => this.deps.log.debug({ err: error, jobId: this.jobId }, 'could not point the old reply at the new message'));
  }

  private sent(json: string): void {
    this.lastJson = json;
    this.lastSentAt = this.now();
  }

  private async land(message: JobMessage): Promise<void> {
    await this.deps.port.finish?.(this.handle, message);
    this.handle = { ...this.handle, landed: true };
    await this.deps.port.save(this.jobId, this.handle);
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.expiryTimer);
    this.deps.onDone(this.jobId);
  }

  private onSendFailed(message: JobMessage, error: unknown): void {
    if (this.deps.port.classify(error) === 'gone') {
      this.deps.log.info({ jobId: this.jobId }, 'the job message was deleted; no more updates');
      this.handle = { ...this.handle, landed: true };
      this.stopped = true;
      clearTimeout(this.timer);
      clearTimeout(this.expiryTimer);
      this.deps.onDone(this.jobId);
      void this.deps.port.save(this.jobId, this.handle).catch((e: unknown) => this.deps.log.warn({ err: e, jobId: this.jobId }, 'could not mark the reply landed'));
      return;
    }
    this.deps.log.warn({ err: error, jobId: this.jobId, stage: message.stage }, 'could not update the job message');
    // A lost progress edit is replaced by the next one; a lost final is tried again.
    this.lastSentAt = this.now();
    if (isFinal(message) && !this.pending && ++this.finalAttempts < MAX_FINAL_ATTEMPTS) this.pending = this.current;
  }
}
