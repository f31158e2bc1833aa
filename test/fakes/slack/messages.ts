/**
 * Message storage shared by chat.*, response_url and file shares: one place decides what a
 * message looks like on the wire and how each edit is kept in its history.
 */
import { SlackApiError, isRecord } from './args.js';
import type { Args } from './args.js';
import { validateBlocks } from './blocks.js';
import type { FakeSlackState } from './state.js';
import type { FileObject, StoredMessage } from './types.js';

/** Slack truncates nothing: text over 40,000 characters is refused with msg_too_long. */
export const MAX_TEXT = 40_000;

export interface MessageContent {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

/** Validates the text/blocks/attachments of a call the way chat.postMessage does. */
export function readContent(args: Args, requireSome: boolean): MessageContent {
  const text = args.optStr('text');
  const blocks = args.optJson('blocks', 'invalid_blocks_format');
  const attachments = args.optJson('attachments', 'invalid_attachments');
  return checkContent({ text, blocks, attachments }, requireSome);
}

export function checkContent(
  input: { text?: unknown; blocks?: unknown; attachments?: unknown },
  requireSome: boolean,
): MessageContent {
  const content: MessageContent = {};
  if (input.text !== undefined) {
    if (typeof input.text !== 'string') throw new SlackApiError('invalid_arguments', { detail: 'text must be a string' });
    if (input.text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
    content.text = input.text;
  }
  if (input.blocks !== undefined) {
    if (!Array.isArray(input.blocks)) throw new SlackApiError('invalid_blocks_format');
    const errors = validateBlocks(input.blocks, 'message');
    if (errors.length > 0) {
      throw new SlackApiError('invalid_blocks', { errors, response_metadata: { messages: errors } });
    }
    content.blocks = input.blocks;
  }
  if (input.attachments !== undefined) {
    if (!Array.isArray(input.attachments) || !input.attachments.every(isRecord)) {
      throw new SlackApiError('invalid_attachments');
    }
    content.attachments = input.attachments;
  }
  const empty = !content.text && !content.blocks?.length && !content.attachments?.length;
  if (requireSome && empty) throw new SlackApiError('no_text');
  return content;
}

export function storeMessage(
  state: FakeSlackState,
  init: {
    channel: string;
    content: MessageContent;
    via: string;
    user?: string;
    thread_ts?: string;
    files?: FileObject[];
    reply_broadcast?: boolean;
    ephemeral_to?: string;
    created_with?: Record<string, unknown>;
  },
): StoredMessage {
  const user = init.user ?? state.identity.botUserId;
  const message: StoredMessage = {
    channel: init.channel,
    ts: state.nextTs(),
    user,
    text: init.content.text ?? '',
    deleted: false,
    created_with: init.created_with ?? {},
    history: [],
    ...(user === state.identity.botUserId ? { bot_id: state.identity.botId } : {}),
    ...(init.thread_ts ? { thread_ts: init.thread_ts } : {}),
    ...(init.content.blocks ? { blocks: init.content.blocks } : {}),
    ...(init.content.attachments ? { attachments: init.content.attachments } : {}),
    ...(init.files ? { files: init.files } : {}),
    ...(init.reply_broadcast ? { reply_broadcast: true } : {}),
    ...(init.ephemeral_to ? { ephemeral_to: init.ephemeral_to } : {}),
  };
  snapshot(state, message, init.via);
  state.messages.push(message);
  state.changed('message');
  return message;
}

/**
 * chat.update semantics: an absent `blocks`/`attachments` keeps the previous ones and `[]`
 * removes them (Slack's chat.update docs). An absent `text` keeps the old text (UNVERIFIED).
 */
export function editMessage(state: FakeSlackState, message: StoredMessage, content: MessageContent, via: string): void {
  if (content.text !== undefined) message.text = content.text;
  if (content.blocks !== undefined) {
    if (content.blocks.length > 0) message.blocks = content.blocks;
    else delete message.blocks;
  }
  if (content.attachments !== undefined) {
    if (content.attachments.length > 0) message.attachments = content.attachments;
    else delete message.attachments;
  }
  snapshot(state, message, via);
  state.changed('message');
}

export function deleteMessage(state: FakeSlackState, message: StoredMessage, via: string): void {
  message.deleted = true;
  snapshot(state, message, via);
  state.changed('message');
}

function snapshot(state: FakeSlackState, message: StoredMessage, via: string): void {
  message.history.push({
    text: message.text,
    deleted: message.deleted,
    via,
    at: state.now(),
    ...(message.blocks ? { blocks: structuredClone(message.blocks) } : {}),
    ...(message.attachments ? { attachments: structuredClone(message.attachments) } : {}),
    ...(message.files ? { files: message.files } : {}),
  });
}

/** The message object Slack embeds in chat.* responses and interaction payloads. */
export function wireMessage(state: FakeSlackState, message: StoredMessage): Record<string, unknown> {
  const { identity } = state;
  const fromBot = message.user === identity.botUserId;
  const lastEdit = message.history.findLast((v) => v.via === 'chat.update' || v.via === 'response_url');
  return {
    type: 'message',
    text: message.text,
    user: message.user,
    ts: message.ts,
    team: identity.teamId,
    ...(fromBot
      ? {
          bot_id: identity.botId,
          app_id: identity.appId,
          bot_profile: { id: identity.botId, app_id: identity.appId, name: identity.botName, team_id: identity.teamId, deleted: false },
        }
      : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.files ? { files: message.files, upload: false, display_as_bot: false } : {}),
    ...(message.thread_ts ? { thread_ts: message.thread_ts, parent_user_id: parentUser(state, message) } : {}),
    ...(lastEdit ? { edited: { user: message.user, ts: (lastEdit.at / 1000).toFixed(6) } } : {}),
  };
}

function parentUser(state: FakeSlackState, message: StoredMessage): string | undefined {
  if (!message.thread_ts) return undefined;
  return state.findMessage(message.channel, message.thread_ts)?.user;
}

export function permalink(state: FakeSlackState, channel: string, ts: string, threadTs?: string): string {
  const base = `https://${state.identity.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}
