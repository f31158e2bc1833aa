import type { RawFile } from 'discord.js';
import type { JobFacts } from '../../core/job-message/model.js';
import type { LivePort } from '../../core/job-message/port.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import { readDiscordReply, type DiscordReply } from './reply-handle.js';
import { dropPreview, renderReply, type OutgoingMessage } from './render.js';
import { isDeadInteractionToken, isMessageGone, isTooLarge, type ReadyMessage, type ReplyTransport } from './transport.js';

/** Interaction tokens die after 15 minutes (protocols.md B); the old reply is not touched past this. */
const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

export interface DiscordPortDeps {
  transport: ReplyTransport;
  links: Pick<MediaLinks, 'url'>;
  projectUrl(job: JobFacts): string;
  readMedia(storageKey: string): Promise<Buffer>;
  /** The job's latest live preview, undefined once its attempt ended (infra/previews). */
  readPreview(jobId: string): Promise<Buffer | undefined>;
  saveReply(jobId: string, reply: DiscordReply): Promise<void>;
  /** At most one edit per this many ms per message (1.5 s keeps us far from Discord's limits). */
  intervalMs: number;
  /** After this long the message moves to the channel and continues with the bot token. */
  cutoverMs: number;
  now?: () => number;
}

/** Discord's side of the live message: interaction-webhook or channel edits, files read on send. */
export function discordPort(deps: DiscordPortDeps): LivePort<DiscordReply, OutgoingMessage> {
  const now = deps.now ?? Date.now;
  const ready = async (message: OutgoingMessage): Promise<ReadyMessage> => {
    const files: RawFile[] = [];
    for (const file of message.files) {
      // The newest preview is the one to show (an older render's seq only said "there is one").
      const data = 'storageKey' in file ? await deps.readMedia(file.storageKey) : await deps.readPreview(file.preview.jobId);
      if (!data) return ready(dropPreview(message));
      files.push({ name: file.name, data, contentType: file.contentType });
    }
    return { body: message.body, files };
  };
  const write = async (reply: DiscordReply, message: OutgoingMessage): Promise<void> => {
    const body = await ready(message);
    if (reply.mode === 'interaction') await deps.transport.editInteraction(reply.appId, reply.token, reply.messageId, body);
    else await deps.transport.editChannel(reply.channelId, reply.messageId, body);
  };
  const render: LivePort<DiscordReply, OutgoingMessage>['render'] = (message, reply) =>
    renderReply(message, { mode: reply.mode, projectUrl: deps.projectUrl, links: deps.links, attachmentLimit: reply.attachmentSizeLimit });
  return {
    platform: 'discord',
    intervalMs: deps.intervalMs,
    render,
    readHandle: readDiscordReply,
    // The deferred interaction reply exists before the job does.
    hasMessage: () => true,
    async post(reply, rendered) {
      return { ...reply, messageId: await deps.transport.postChannel(reply.channelId, await ready(rendered)) };
    },
    async edit(reply, rendered, { message }) {
      try {
        await write(reply, rendered);
      } catch (error) {
        if (!isTooLarge(error)) throw error;
        // Over the upload limit after all: the same message with links instead of files.
        await write(reply, renderReply(message, { mode: reply.mode, projectUrl: deps.projectUrl, links: deps.links, attachmentLimit: 0 }));
      }
    },
    expiresAt: (reply) => (reply.mode === 'interaction' ? reply.createdAt + deps.cutoverMs : undefined),
    successor: (reply) => ({ ...reply, mode: 'channel' }),
    async retire(old, _next, rendered) {
      if (old.mode !== 'interaction' || now() - old.createdAt >= INTERACTION_TOKEN_LIFETIME_MS) return;
      const promptLine = rendered.body.content.split('\n')[1] ?? '';
      await deps.transport.editInteraction(old.appId, old.token, old.messageId, {
        body: { content: `${promptLine}\n↪ Continued in a newer message below.`, embeds: [], components: [], attachments: [], allowed_mentions: { parse: [] } },
        files: [],
      });
    },
    classify: (error) => (isDeadInteractionToken(error) ? 'expired' : isMessageGone(error) ? 'gone' : 'retry'),
    save: (jobId, reply) => deps.saveReply(jobId, reply),
  };
}
