import { DiscordAPIError, Routes, type REST, type RawFile } from 'discord.js';
import type { OutgoingMessage } from './render.js';

export interface ReadyMessage {
  body: OutgoingMessage['body'];
  files: RawFile[];
}

/**
 * The three ways a job's message is written, over discord.js' REST client (which queues per bucket
 * and retries 429 and 5xx itself). Interaction webhooks use no bot token (auth: false), so a dead
 * interaction token (401) never wipes the bot's own.
 */
export interface ReplyTransport {
  editInteraction(appId: string, token: string, messageId: string, message: ReadyMessage): Promise<void>;
  editChannel(channelId: string, messageId: string, message: ReadyMessage): Promise<void>;
  postChannel(channelId: string, message: ReadyMessage): Promise<string>;
}

/**
 * `interactionRest` carries the interaction-webhook edits. Discord does not count interaction
 * webhooks against the bot's global limit (50/s), but @discordjs/rest counts every request it
 * sends, so on the bot's own client progress edits would queue defers behind them under load.
 */
export function restTransport(botRest: REST, interactionRest: REST): ReplyTransport {
  return {
    async editInteraction(appId, token, messageId, message) {
      await interactionRest.patch(Routes.webhookMessage(appId, token, messageId), { body: message.body, files: message.files, auth: false });
    },
    async editChannel(channelId, messageId, message) {
      await botRest.patch(Routes.channelMessage(channelId, messageId), { body: message.body, files: message.files });
    },
    async postChannel(channelId, message) {
      const created = (await botRest.post(Routes.channelMessages(channelId), { body: message.body, files: message.files })) as { id: string };
      return created.id;
    },
  };
}

/** 50027 Invalid Webhook Token (the 15 minutes are over) or 10015 Unknown Webhook. */
export function isDeadInteractionToken(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.code === 50027 || error.code === 10015);
}

/** 40005 Request entity too large: the file was over the limit after all. */
export function isTooLarge(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.code === 40005 || error.status === 413);
}

/** 10008 Unknown Message: someone deleted the message; there is nothing left to edit. */
export function isMessageGone(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.code === 10008;
}
