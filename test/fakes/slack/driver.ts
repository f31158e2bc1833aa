/**
 * The Slack side of the conversation: signed HTTP requests to our app, shaped like Slack's.
 * Slash commands and interactions are form-encoded with content-type exactly
 * 'application/x-www-form-urlencoded' (Bolt compares it by string equality; a charset suffix
 * would make it JSON-parse the body). Events are JSON. trigger_ids, response_urls and workflow
 * tokens come from the fake, so the app's follow-up calls are checked against what was issued.
 */
import { performance } from 'node:perf_hooks';
import type { FakeSlack } from './server.js';
import { signingHeaders } from './signing.js';
import { slashCommandPayload, type SlashCommandFields } from './slash-payload.js';
import type { SignOptions } from './signing.js';
import type { FunctionExecution, StoredMessage, StoredView } from './types.js';

export interface SlackDriverOptions {
  /** The app's request URL, e.g. http://127.0.0.1:P/slack/events. */
  targetUrl: string;
  signingSecret: string;
  fake: FakeSlack;
  /** Legacy verification token Slack still puts in payloads. */
  verificationToken?: string;
}

export interface DriverResponse {
  status: number;
  body: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  json: unknown;
  elapsedMs: number;
}

/** What a test says about the command a user types: the fake fills in the rest Slack sends. */
export type SlashCommandInput = SlashCommandFields;

export interface BlockActionInput {
  userId: string;
  channelId: string;
  messageTs: string;
  actionId: string;
  /** Defaults to the value of the button with `actionId` in the stored message. */
  value?: string;
  /** Set when the action comes from a button inside a workflow step's message. */
  functionExecution?: FunctionExecution;
}

export interface ViewSubmissionInput {
  userId: string;
  /** A view the app opened through the fake (views.open). */
  viewId: string;
  /** state.values: { [block_id]: { [action_id]: { type, value, ... } } } */
  values?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface FunctionExecutedInput {
  callback_id: string;
  inputs?: Record<string, unknown>;
  title?: string;
}

export interface FileShareInput {
  userId: string;
  channelId: string;
  text: string;
  /** The parent's ts: a reply in its thread. */
  threadTs?: string;
  fileIds: string[];
}

export interface SlackDriver {
  slashCommand(input: SlashCommandInput, sign?: SignOptions): Promise<DriverResponse & { triggerId: string; responseUrl: string; payload: Record<string, string> }>;
  blockAction(input: BlockActionInput, sign?: SignOptions): Promise<DriverResponse & { triggerId: string; responseUrl: string; payload: Record<string, unknown> }>;
  viewSubmission(input: ViewSubmissionInput, sign?: SignOptions): Promise<DriverResponse & { triggerId: string; payload: Record<string, unknown> }>;
  functionExecuted(input: FunctionExecutedInput, sign?: SignOptions): Promise<DriverResponse & { execution: FunctionExecution; payload: Record<string, unknown> }>;
  urlVerification(challenge?: string, sign?: SignOptions): Promise<DriverResponse>;
  /** A user shares files in a message: stored in the fake, then the Events API `message` event (subtype file_share). */
  fileShareMessage(input: FileShareInput, sign?: SignOptions): Promise<DriverResponse & { message: StoredMessage; payload: Record<string, unknown> }>;
  /** Low level: any body with any content-type, signed (or mis-signed) as asked. */
  send(rawBody: string, contentType: string, sign?: SignOptions): Promise<DriverResponse>;
}

export function createSlackDriver({ targetUrl, signingSecret, fake, verificationToken = 'fake-verification-token' }: SlackDriverOptions): SlackDriver {
  const { identity } = fake;
  const team = { id: identity.teamId, domain: identity.teamDomain };
  const userOf = (id: string): Record<string, unknown> => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: identity.teamId });
  const actionTs = (): string => (Date.now() / 1000).toFixed(6);

  const send: SlackDriver['send'] = async (rawBody, contentType, sign) => {
    const started = performance.now();
    const response = await fetch(targetUrl, {
      method: 'POST',
      headers: { 'content-type': contentType, ...signingHeaders(signingSecret, rawBody, sign) },
      body: rawBody,
    });
    const body = await response.text();
    let json: unknown;
    try {
      json = body === '' ? undefined : JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { status: response.status, body, json, elapsedMs: performance.now() - started };
  };
  const sendForm = (fields: Record<string, string>, sign?: SignOptions): Promise<DriverResponse> =>
    send(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', sign);
  const sendPayload = (payload: Record<string, unknown>, sign?: SignOptions): Promise<DriverResponse> =>
    sendForm({ payload: JSON.stringify(payload) }, sign);

  return {
    send,
    async slashCommand(input, sign) {
      const { payload, triggerId, responseUrl } = slashCommandPayload(fake, input, verificationToken);
      return { ...(await sendForm(payload, sign)), triggerId, responseUrl, payload };
    },

    async blockAction(input, sign) {
      const stored = fake.message(input.channelId, input.messageTs);
      if (!stored || stored.deleted) throw new Error(`driver: no message ${input.channelId}/${input.messageTs} to click in`);
      const found = findElement(stored.blocks, input.actionId);
      // A user can only click what was rendered; a missing action_id is a bug in the test or app.
      if (!found) throw new Error(`driver: message ${input.messageTs} has no element with action_id '${input.actionId}'`);
      const ephemeral = stored.ephemeral_to !== undefined;
      const trigger = fake.issueTrigger(input.userId);
      const responseUrl = fake.issueResponseUrl(input.channelId, input.userId, { channel: input.channelId, ts: stored.ts, ephemeral });
      const exec = input.functionExecution;
      const payload: Record<string, unknown> = {
        type: 'block_actions',
        user: userOf(input.userId),
        api_app_id: identity.appId,
        token: verificationToken,
        container: {
          type: 'message', message_ts: stored.ts, channel_id: input.channelId, is_ephemeral: ephemeral,
          ...(stored.thread_ts ? { thread_ts: stored.thread_ts } : {}),
        },
        trigger_id: trigger.trigger_id,
        team,
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: input.channelId, name: input.channelId.toLowerCase() },
        ...(ephemeral ? {} : { message: fake.wireMessage(stored.channel, stored.ts) }),
        state: { values: {} },
        response_url: responseUrl.url,
        actions: [{
          ...found.element,
          block_id: found.blockId,
          action_ts: actionTs(),
          ...(input.value !== undefined ? { value: input.value } : {}),
        }],
        ...(exec
          ? {
              function_data: { execution_id: exec.function_execution_id, function: { callback_id: exec.callback_id }, inputs: exec.inputs },
              bot_access_token: exec.bot_access_token,
            }
          : {}),
      };
      return { ...(await sendPayload(payload, sign)), triggerId: trigger.trigger_id, responseUrl: responseUrl.url, payload };
    },

    async viewSubmission(input, sign) {
      const stored: StoredView | undefined = fake.views.find((v) => v.id === input.viewId);
      if (!stored) throw new Error(`driver: no open view ${input.viewId}`);
      const trigger = fake.issueTrigger(input.userId, stored.id);
      const payload: Record<string, unknown> = {
        type: 'view_submission',
        team,
        user: userOf(input.userId),
        api_app_id: identity.appId,
        token: verificationToken,
        trigger_id: trigger.trigger_id,
        view: { ...stored.view, state: { values: input.values ?? {} } },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
      const response = await sendPayload(payload, sign);
      // Slack closes the modal on an empty 200 or response_action 'clear'.
      const action = (response.json as { response_action?: string } | undefined)?.response_action;
      if (response.status === 200 && (action === undefined || action === 'clear')) stored.closed = true;
      return { ...response, triggerId: trigger.trigger_id, payload };
    },

    async functionExecuted(input, sign) {
      const execution = fake.startFunctionExecution(input.callback_id, input.inputs ?? {});
      const now = Date.now() / 1000;
      const payload: Record<string, unknown> = {
        token: verificationToken,
        team_id: identity.teamId,
        api_app_id: identity.appId,
        event: {
          type: 'function_executed',
          function: {
            id: `Fn${execution.function_execution_id.slice(2)}`,
            callback_id: input.callback_id,
            title: input.title ?? input.callback_id,
            description: '',
            type: 'app',
            input_parameters: Object.keys(input.inputs ?? {}).map((name) => ({ type: 'string', name, is_required: false })),
            output_parameters: [],
            app_id: identity.appId,
            date_created: Math.floor(now),
            date_updated: Math.floor(now),
            date_deleted: 0,
          },
          inputs: execution.inputs,
          function_execution_id: execution.function_execution_id,
          workflow_execution_id: execution.workflow_execution_id,
          event_ts: now.toFixed(6),
          bot_access_token: execution.bot_access_token,
        },
        type: 'event_callback',
        event_id: `Ev${execution.function_execution_id.slice(2)}`,
        event_time: Math.floor(now),
        authorizations: [{ enterprise_id: null, team_id: identity.teamId, user_id: identity.botUserId, is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
      };
      const response = await send(JSON.stringify(payload), 'application/json', sign);
      return { ...response, execution, payload };
    },

    async fileShareMessage(input, sign) {
      const message = fake.shareUserFiles({ channel: input.channelId, userId: input.userId, text: input.text, fileIds: input.fileIds, ...(input.threadTs ? { threadTs: input.threadTs } : {}) });
      const parent = input.threadTs ? fake.message(input.channelId, input.threadTs) : undefined;
      const payload: Record<string, unknown> = {
        token: verificationToken,
        team_id: identity.teamId,
        api_app_id: identity.appId,
        event: {
          type: 'message',
          subtype: 'file_share',
          text: input.text,
          files: message.files,
          upload: false,
          user: input.userId,
          display_as_bot: false,
          ts: message.ts,
          ...(input.threadTs ? { thread_ts: input.threadTs, ...(parent ? { parent_user_id: parent.user } : {}) } : {}),
          channel: input.channelId,
          event_ts: message.ts,
          channel_type: 'channel',
        },
        type: 'event_callback',
        event_id: `Ev${message.ts.replace('.', '')}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: identity.teamId, user_id: identity.botUserId, is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
      };
      const response = await send(JSON.stringify(payload), 'application/json', sign);
      return { ...response, message, payload };
    },

    urlVerification(challenge = 'fake-challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', sign) {
      return send(JSON.stringify({ token: verificationToken, challenge, type: 'url_verification' }), 'application/json', sign);
    },
  };
}

interface FoundElement {
  blockId: string;
  element: Record<string, unknown>;
}

function findElement(blocks: unknown[] | undefined, actionId: string): FoundElement | undefined {
  for (const block of blocks ?? []) {
    if (typeof block !== 'object' || block === null) continue;
    const b = block as { block_id?: string; elements?: unknown[]; accessory?: unknown };
    const candidates = [...(Array.isArray(b.elements) ? b.elements : []), b.accessory];
    for (const el of candidates) {
      if (typeof el === 'object' && el !== null && (el as { action_id?: unknown }).action_id === actionId) {
        // Slack fills block_id with a random id when the app gave none.
        return { blockId: b.block_id ?? 'fake-block-id', element: el as Record<string, unknown> };
      }
    }
  }
  return undefined;
}
