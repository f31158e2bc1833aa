/**
 * response_url: the webhook Slack hands out with each slash command and interaction.
 * Slack docs: "can be used up to 5 times within 30 minutes". What Slack answers past either
 * limit is UNVERIFIED; we answer HTTP 404 with 'used_url' / 'expired_url' (Bolt's respond()
 * throws RespondError on any non-2xx, which is what an app must handle either way).
 * The success body ({"ok":true}) is UNVERIFIED too; Bolt only reads the status.
 */
import type { ServerResponse } from 'node:http';
import { SlackApiError, isRecord } from './args.js';
import { checkContent, deleteMessage, editMessage, storeMessage } from './messages.js';
import type { FakeSlackState } from './state.js';
import type { IssuedResponseUrl } from './types.js';
import { sendJson } from './http.js';

export function handleResponseUrl(state: FakeSlackState, id: string, raw: Buffer, res: ServerResponse): void {
  const issued = state.responseUrls.get(id);
  if (!issued) return sendJson(res, 404, { ok: false, error: 'invalid_url' });
  let body: Record<string, unknown> = {};
  const reply = (status: number, error?: string): void => {
    issued.posts.push({ body, status, at: state.now(), ...(error ? { error } : {}) });
    state.changed('response_url');
    sendJson(res, status, error ? { ok: false, error } : { ok: true });
  };
  if (state.now() - issued.issuedAt > state.limits.responseUrlTtlMs) return reply(404, 'expired_url');
  const accepted = issued.posts.filter((p) => p.status === 200).length;
  if (accepted >= state.limits.responseUrlMaxUses) return reply(404, 'used_url');
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (!isRecord(parsed)) return reply(400, 'invalid_payload');
    body = parsed;
    apply(state, issued, body);
    reply(200);
  } catch (error) {
    if (error instanceof SlackApiError) return reply(400, error.code);
    if (error instanceof SyntaxError) return reply(400, 'invalid_payload');
    throw error;
  }
}

function apply(state: FakeSlackState, issued: IssuedResponseUrl, body: Record<string, unknown>): void {
  const source = issued.source ? state.findMessage(issued.source.channel, issued.source.ts) : undefined;
  if (body.delete_original === true || body.delete_original === 'true') {
    if (source && !source.deleted) deleteMessage(state, source, 'response_url');
    return;
  }
  const content = checkContent({ text: body.text, blocks: body.blocks, attachments: body.attachments }, true);
  // replace_original only means something when the interaction came from a message.
  if ((body.replace_original === true || body.replace_original === 'true') && source && !source.deleted) {
    editMessage(state, source, content, 'response_url');
    return;
  }
  const inChannel = body.response_type === 'in_channel';
  const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
  storeMessage(state, {
    channel: issued.channel,
    content,
    via: 'response_url',
    created_with: body,
    ...(inChannel ? {} : { ephemeral_to: issued.user_id }),
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
}
