import type { RawFile } from 'discord.js';
import type { Logger } from '../../shared/logger.js';
import type { JobRecord } from '../../core/records.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import type { DiscordReply } from './reply-handle.js';
import { renderReply, sameMessage, type JobSummary, type OutgoingMessage } from './render.js';
import { isDeadInteractionToken, isMessageGone, isTooLarge, type ReadyMessage, type ReplyTransport } from './transport.js';
import { isFinalView, type ReplyView } from './views.js';

/** Interaction tokens die after 15 minutes (protocols.md B); edits are never attempted past this. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;
const MAX_FINAL_ATTEMPTS = 3;

export interface LiveReplyDeps {
  transport: ReplyTransport;
  links: MediaLinks;
  /** The signed gallery link of a job's project, for the final embed. */
  projectUrl(job: JobRecord): string;
  readMedia(storageKey: string): Promise<Buffer>;
  saveReply(jobId: string, reply: DiscordReply): Promise<void>;
  /** At most one edit per this many ms per message (Discord: 1.5 s keeps us far from its limits). */
  intervalMs: number;
  /** After this long the message moves to the channel and continues with the bot token. */
  cutoverMs: number;
  log: Logger;
  onDone(jobId: string): void;
  now?: () => number;
}

/**
 * One job's message. Views come in as fast as events do; edits go out at most once per interval,
 * the latest view wins, and identical renders are never sent. Owns the cutover from the interaction
 * token to the bot token and marks the reply landed once the final state is posted.
 */
export class LiveReply {
  private pending: ReplyView | undefined;
  private current: ReplyView | undefined;
  private last: OutgoingMessage | undefined;
  private lastSentAt = 0;
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cutoverTimer: NodeJS.Timeout | undefined;
  private finalAttempts = 0;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private reply: DiscordReply,
    private readonly job: JobSummary,
    private readonly deps: LiveReplyDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.armCutover();
  }

  get jobId(): string {
    return this.job.jobId;
  }

  show(view: ReplyView): void {
    if (this.stopped || (this.current && isFinalView(this.current))) return;
    // A place-in-line update can arrive after the job already started elsewhere: never step back.
    if (view.kind === 'queued' && this.current && this.current.kind !== 'queued') return;
    this.pending = view;
    this.current = view;
    this.pump();
  }

  /** Stops timers and waits for an edit already on the wire; nothing more is sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.cutoverTimer);
    await this.sending;
  }

  /** A queued job sends no events; the timer makes sure it still moves before the token dies. */
  private armCutover(): void {
    if (this.reply.mode !== 'interaction') return;
    const due = this.reply.createdAt + this.deps.cutoverMs - this.now();
    this.cutoverTimer = setTimeout(() => {
      if (this.current && !this.pending && this.reply.mode === 'interaction') {
        this.pending = this.current;
        this.pump();
      }
    }, Math.max(0, due));
    this.cutoverTimer.unref();
  }

  private pump(): void {
    if (this.stopped || this.sending || this.timer || !this.pending) return;
    const wait = this.lastSentAt + this.deps.intervalMs - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const view = this.pending;
    this.pending = undefined;
    this.sending = this.send(view)
      .catch((error: unknown) => this.onSendFailed(view, error))
      .finally(() => {
        this.sending = undefined;
        this.pump();
      });
  }

  private async send(view: ReplyView): Promise<void> {
    if (this.reply.mode === 'interaction' && this.now() - this.reply.createdAt >= this.deps.cutoverMs) {
      await this.cutover(view);
      return;
    }
    const message = this.render(view);
    if (sameMessage(this.last, message)) {
      if (isFinalView(view)) await this.land();
      return;
    }
    try {
      await this.deliver(message);
    } catch (error) {
      if (this.reply.mode === 'interaction' && isDeadInteractionToken(error)) {
        this.deps.log.info({ jobId: this.jobId }, 'interaction token no longer valid; continuing in the channel');
        await this.cutover(view);
        return;
      }
      if (!isTooLarge(error)) throw error;
      // Over the upload limit after all: the same message with links instead of files.
      await this.deliver(this.render(view, 0));
    }
    this.sent(message);
    if (isFinalView(view)) await this.land();
  }

  private render(view: ReplyView, attachmentLimit = this.reply.attachmentSizeLimit): OutgoingMessage {
    return renderReply(this.job, view, { mode: this.reply.mode, projectUrl: this.deps.projectUrl, links: this.deps.links, attachmentLimit });
  }

  private async ready(message: OutgoingMessage): Promise<ReadyMessage> {
    const files: RawFile[] = [];
    for (const file of message.files) files.push({ name: file.name, data: await this.deps.readMedia(file.storageKey), contentType: file.contentType });
    return { body: message.body, files };
  }

  private async deliver(message: OutgoingMessage): Promise<void> {
    const ready = await this.ready(message);
    const { appId, token, channelId, messageId } = this.reply;
    if (this.reply.mode === 'interaction') await this.deps.transport.editInteraction(appId, token, messageId, ready);
    else await this.deps.transport.editChannel(channelId, messageId, ready);
  }

  /**
   * The interaction token is about to die (or died): post the current state as a new channel message
   * with the bot token, remember it on the record, and point the old reply at it while we still can.
   */
  private async cutover(view: ReplyView): Promise<void> {
    const previous = this.reply;
    this.reply = { ...previous, mode: 'channel' };
    const message = this.render(view);
    const messageId = await this.deps.transport.postChannel(previous.channelId, await this.ready(message));
    this.reply = { ...this.reply, messageId };
    await this.deps.saveReply(this.jobId, this.reply);
    this.sent(message);
    if (this.now() - previous.createdAt < INTERACTION_TOKEN_LIFETIME_MS) {
      const pointer: ReadyMessage = {
        body: { content: `${this.last?.body.content.split('\n')[1] ?? ''}\n↪ Continued in a newer message below.`, embeds: [], components: [], attachments: [], allowed_mentions: { parse: [] } },
        files: [],
      };
      await this.deps.transport
        .editInteraction(previous.appId, previous.token, previous.messageId, pointer)
        .catch((error: unknown) => this.deps.log.debug({ err: error, jobId: this.jobId }, 'could not point the old reply at the new message'));
    }
    if (isFinalView(view)) await this.land();
  }

  private sent(message: OutgoingMessage): void {
    this.last = message;
    this.lastSentAt = this.now();
  }

  private async land(): Promise<void> {
    this.reply = { ...this.reply, landed: true };
    await this.deps.saveReply(this.jobId, this.reply);
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.cutoverTimer);
    this.deps.onDone(this.jobId);
  }

  private onSendFailed(view: ReplyView, error: unknown): void {
    if (isMessageGone(error)) {
      this.deps.log.info({ jobId: this.jobId }, 'the job message was deleted; no more updates');
      void this.land().catch((e: unknown) => this.deps.log.warn({ err: e, jobId: this.jobId }, 'could not mark the reply landed'));
      return;
    }
    this.deps.log.warn({ err: error, jobId: this.jobId, view: view.kind }, 'could not update the job message');
    // A lost progress edit is replaced by the next one; a lost final post is tried again.
    this.lastSentAt = this.now();
    if (isFinalView(view) && !this.pending && ++this.finalAttempts < MAX_FINAL_ATTEMPTS) this.pending = view;
  }
}
