/** chat.* : the methods that create, edit and remove what users see. */
import { SlackApiError } from '../args.js';
import type { Args } from '../args.js';
import { deleteMessage, editMessage, permalink, readContent, storeMessage, wireMessage } from '../messages.js';
import type { FakeSlackState } from '../state.js';
import type { FakeChannelSeed, StoredMessage } from '../types.js';
import type { MethodHandler } from './context.js';

function channelFor(state: FakeSlackState, args: Args, name = 'channel'): FakeChannelSeed {
  const channel = state.resolveChannel(args.optStr(name));
  if (!channel) throw new SlackApiError('channel_not_found');
  return channel;
}

function ownMessage(state: FakeSlackState, channel: string, ts: string | undefined, denied: string): StoredMessage {
  const message = ts === undefined ? undefined : state.findMessage(channel, ts);
  if (!message || message.deleted || message.ephemeral_to) throw new SlackApiError('message_not_found');
  if (message.user !== state.identity.botUserId) throw new SlackApiError(denied);
  return message;
}

const postMessage: MethodHandler = ({ state, args }) => {
  const channel = channelFor(state, args);
  if (channel.is_archived) throw new SlackApiError('is_archived');
  if (channel.bot_is_member === false) throw new SlackApiError('not_in_channel');
  const content = readContent(args, true);
  const threadTs = args.optStr('thread_ts');
  const message = storeMessage(state, {
    channel: channel.id,
    content,
    via: 'chat.postMessage',
    ...(threadTs ? { thread_ts: threadTs } : {}),
    reply_broadcast: args.bool('reply_broadcast'),
    created_with: args.raw,
  });
  return { channel: channel.id, ts: message.ts, message: wireMessage(state, message) };
};

const postEphemeral: MethodHandler = ({ state, args }) => {
  const channel = channelFor(state, args);
  const user = args.str('user', 'user_not_found');
  if (!state.users.has(user)) throw new SlackApiError('user_not_found');
  if (channel.members && !channel.members.includes(user)) throw new SlackApiError('user_not_in_channel');
  const content = readContent(args, true);
  const threadTs = args.optStr('thread_ts');
  const message = storeMessage(state, {
    channel: channel.id,
    content,
    via: 'chat.postEphemeral',
    ephemeral_to: user,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    created_with: args.raw,
  });
  return { message_ts: message.ts };
};

const update: MethodHandler = ({ state, args }) => {
  const channel = channelFor(state, args);
  const message = ownMessage(state, channel.id, args.optStr('ts'), 'cant_update_message');
  editMessage(state, message, readContent(args, true), 'chat.update');
  return { channel: channel.id, ts: message.ts, text: message.text, message: wireMessage(state, message) };
};

const remove: MethodHandler = ({ state, args }) => {
  const channel = channelFor(state, args);
  const message = ownMessage(state, channel.id, args.optStr('ts'), 'cant_delete_message');
  deleteMessage(state, message, 'chat.delete');
  return { channel: channel.id, ts: message.ts };
};

const getPermalink: MethodHandler = ({ state, args }) => {
  const channel = channelFor(state, args);
  const ts = args.str('message_ts', 'message_not_found');
  const message = state.findMessage(channel.id, ts);
  if (!message || message.deleted) throw new SlackApiError('message_not_found');
  return { channel: channel.id, permalink: permalink(state, channel.id, ts, message.thread_ts) };
};

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.update': update,
  'chat.delete': remove,
  'chat.getPermalink': getPermalink,
};
