/**
 * A fake Slack on 127.0.0.1 that the real WebClient and Bolt talk to over sockets:
 *   POST /api/<method>          Web API (form, multipart or JSON; Bearer or `token` arg)
 *   POST /upload/<file_id>      upload URLs handed out by files.getUploadURLExternal
 *   GET  /files-pri/<team>-<id>/<name>  url_private downloads
 *   POST /response/<id>         response_url webhooks
 *   GET  /link/?ticket=..       Socket Mode WebSocket (socket-mode.ts; apps.connections.open hands it out)
 * Platform errors are HTTP 200 {ok:false,error}; only injected rate limits use 429.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Args, SlackApiError } from './args.js';
import { addUserFile, fileMethods, handleDownload, handleUpload, shareUserFiles } from './files.js';
import { bearer, mediaType, parseBody, readBody, sendJson, sendText } from './http.js';
import { chatMethods } from './methods/chat.js';
import type { MethodHandler } from './methods/context.js';
import { directoryMethods } from './methods/directory.js';
import { functionMethods } from './methods/functions.js';
import { viewMethods } from './methods/views.js';
import { storeMessage, wireMessage } from './messages.js';
import { handleResponseUrl } from './response-url.js';
import { attachSocketMode, type FakeSocketMode } from './socket-mode.js';
import { FakeSlackState } from './state.js';
import type { Identity } from './state.js';
import type {
  ApiCall, FakeFile, FakeSlackOptions, FunctionCompletion, FunctionExecution, IssuedResponseUrl, IssuedTrigger,
  StoredMessage, StoredView,
} from './types.js';

const METHODS: Record<string, MethodHandler> = {
  ...chatMethods, ...directoryMethods, ...functionMethods, ...viewMethods, ...fileMethods,
};

export interface FakeSlack {
  /** 'http://127.0.0.1:P/api/' - pass as `slackApiUrl`. */
  readonly apiUrl: string;
  readonly baseUrl: string;
  readonly identity: Identity;
  readonly calls: readonly ApiCall[];
  readonly files: readonly FakeFile[];
  readonly functionCompletions: readonly FunctionCompletion[];
  readonly views: readonly StoredView[];
  readonly responseUrls: readonly IssuedResponseUrl[];
  /** Bugs inside the fake (exceptions in a handler); should stay empty. */
  readonly internalErrors: readonly Error[];
  /** Socket Mode: connections opened with `options.appToken`, and envelopes pushed to the app. */
  readonly socketMode: FakeSocketMode;
  /** Every non-ephemeral message posted in `channel` (top level and replies), oldest first. */
  messages(channel: string): StoredMessage[];
  ephemerals(channel: string, userId?: string): StoredMessage[];
  /** The parent message followed by its replies. */
  thread(channel: string, threadTs: string): StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  /** The message as Slack embeds it in API responses and interaction payloads. */
  wireMessage(channel: string, ts: string): Record<string, unknown> | undefined;
  callsTo(method: string): ApiCall[];
  /** Next `times` calls to `method` answer 429 with Retry-After: `retryAfterSeconds`. */
  rateLimitNext(method: string, retryAfterSeconds: number, times?: number): void;
  /** Seeds a message from a human (e.g. a thread the bot replies into). */
  postAsUser(channel: string, userId: string, text: string, threadTs?: string): StoredMessage;
  issueTrigger(userId: string, viewId?: string): IssuedTrigger;
  /** A file the user uploaded themselves (its id is what a modal's file_input submits). */
  addUserFile(filename: string, bytes: Buffer): string;
  /** A user's message in `channel` (a thread reply with threadTs) sharing files from addUserFile. */
  shareUserFiles(init: { channel: string; userId: string; text: string; threadTs?: string; fileIds: string[] }): StoredMessage;
  issueResponseUrl(channel: string, userId: string, source?: IssuedResponseUrl['source']): IssuedResponseUrl;
  startFunctionExecution(callbackId: string, inputs: Record<string, unknown>): FunctionExecution;
  /**
   * Resolves with the probe's first truthy value. The probe re-runs on every change inside the
   * fake (call, message, file, completion...), so probe fake state, not test-local variables.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const state = new FakeSlackState(options);
  const server = createServer((req, res) => {
    route(state, socketMode, req, res).catch((error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      state.internalErrors.push(err);
      state.changed('internal_error');
      if (!res.headersSent) sendText(res, 500, `fake Slack internal error: ${err.message}`);
      else res.destroy(err);
    });
  });
  const socketMode = attachSocketMode(state, server, {
    ...(options.appToken ? { appToken: options.appToken } : {}),
    ...(options.socketPingIntervalMs ? { pingIntervalMs: options.socketPingIntervalMs } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${state.baseUrl}/api/`,
    baseUrl: state.baseUrl,
    identity: state.identity,
    get calls() { return state.calls; },
    get files() { return [...state.files.values()]; },
    get functionCompletions() { return state.completions; },
    get views() { return [...state.views.values()]; },
    get responseUrls() { return [...state.responseUrls.values()]; },
    get internalErrors() { return state.internalErrors; },
    socketMode,
    messages: (channel) => state.messages.filter((m) => m.channel === channel && !m.ephemeral_to),
    ephemerals: (channel, userId) =>
      state.messages.filter((m) => m.channel === channel && m.ephemeral_to !== undefined && (userId === undefined || m.ephemeral_to === userId)),
    thread: (channel, threadTs) =>
      state.messages.filter((m) => m.channel === channel && !m.ephemeral_to && (m.ts === threadTs || m.thread_ts === threadTs)),
    message: (channel, ts) => state.findMessage(channel, ts),
    wireMessage: (channel, ts) => {
      const message = state.findMessage(channel, ts);
      return message ? wireMessage(state, message) : undefined;
    },
    callsTo: (method) => state.calls.filter((c) => c.method === method),
    rateLimitNext: (method, retryAfterSeconds, times = 1) => {
      const queue = state.rateLimits.get(method) ?? [];
      for (let i = 0; i < times; i += 1) queue.push(retryAfterSeconds);
      state.rateLimits.set(method, queue);
    },
    postAsUser: (channel, userId, text, threadTs) =>
      storeMessage(state, { channel, content: { text }, via: 'seed', user: userId, ...(threadTs ? { thread_ts: threadTs } : {}) }),
    issueTrigger: (userId, viewId) => state.issueTrigger(userId, viewId),
    addUserFile: (filename, bytes) => addUserFile(state, filename, bytes),
    shareUserFiles: (init) => shareUserFiles(state, init),
    issueResponseUrl: (channel, userId, source) => state.issueResponseUrl(channel, userId, source),
    startFunctionExecution: (callbackId, inputs) => state.startExecution(callbackId, inputs),
    waitFor: (probe, timeoutMs) => state.waitFor(probe, timeoutMs),
    close: async () => {
      await socketMode.close();
      await new Promise<void>((resolve, reject) => {
        // fetch keeps connections alive; without this close() would wait for them to idle out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

async function route(state: FakeSlackState, socketMode: FakeSocketMode, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', state.baseUrl);
  const [, area, ...rest] = url.pathname.split('/');
  const tail = decodeURIComponent(rest.join('/'));
  if (req.method === 'GET' && area === 'files-pri') {
    return handleDownload(state, tail.split('/')[0]?.split('-').slice(1).join('-') ?? '', req, res);
  }
  if (req.method !== 'POST') return sendText(res, 405, 'method not allowed');
  const raw = await readBody(req);
  if (area === 'api') return handleApi(state, socketMode, tail, req, raw, res);
  if (area === 'upload') return handleUpload(state, tail, req, raw, res);
  if (area === 'response') return handleResponseUrl(state, tail, raw, res);
  sendText(res, 404, 'not found');
}

async function handleApi(state: FakeSlackState, socketMode: FakeSocketMode, method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
  const contentType = mediaType(req);
  let args: Record<string, unknown> = {};
  let token = bearer(req);
  const record = (status: number, response: Record<string, unknown>, headers: Record<string, string> = {}): void => {
    const { token: _bodyToken, ...recordedArgs } = args;
    state.calls.push({ method, args: recordedArgs, contentType, status, response, at: state.now(), ...(token ? { token } : {}) });
    state.changed('call');
    sendJson(res, status, response, headers);
  };
  try {
    args = (await parseBody(req, raw)).args;
  } catch {
    return record(200, { ok: false, error: contentType === 'application/json' ? 'invalid_json' : 'invalid_form_data' });
  }
  // Slack takes the token from the Authorization header, or else from a POST parameter.
  if (token === undefined && typeof args.token === 'string') token = args.token;

  const limited = state.rateLimits.get(method);
  const retryAfter = limited?.shift();
  if (retryAfter !== undefined) {
    return record(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
  }
  const handler = METHODS[method];
  if (method === 'apps.connections.open') return answer(record, () => socketMode.open(token));
  if (!handler) return record(200, { ok: false, error: 'unknown_method', req_method: method });
  if (token === undefined) return record(200, { ok: false, error: 'not_authed' });
  const tokenKind = state.tokenKind(token);
  if (tokenKind === undefined) return record(200, { ok: false, error: 'invalid_auth' });
  answer(record, () => handler({ state, args: new Args(args), token, tokenKind, contentType }));
}

function answer(record: (status: number, response: Record<string, unknown>) => void, run: () => Record<string, unknown>): void {
  try {
    record(200, { ok: true, ...run() });
  } catch (error) {
    if (!(error instanceof SlackApiError)) throw error;
    record(200, { ok: false, error: error.code, ...error.extra });
  }
}
