import { Errors, invalidFormBody, type Route, type RouteRequest, type RouteResult } from './http.js';
import { EPHEMERAL, createMessage, editMessage, messageJson, type MessageContext } from './messages.js';
import type { InteractionState, Store } from './store.js';
import type { Json, StoredMessage } from './types.js';
import type { World } from './world.js';

export interface Deps {
  world: World;
  store: Store;
  /** http://127.0.0.1:P, known once the server listens. */
  origin: string;
}

const LOADING = 128;

function context(deps: Deps, record: InteractionState, type: number): MessageContext {
  return {
    world: deps.world,
    origin: deps.origin,
    channelId: record.channelId,
    guildId: record.guildId,
    uploadLimit: Number(record.payload.attachment_size_limit),
    type,
    webhookId: deps.world.applicationId,
    interactionId: record.id,
  };
}

/** Message type of a response: 20 CHAT_INPUT_COMMAND / 23 CONTEXT_MENU_COMMAND for commands, else 0. */
function responseType(record: InteractionState): number {
  if (record.type !== 2) return 0;
  return (record.payload.data as Json | undefined)?.type === 1 ? 20 : 23;
}

const visible = (msg: StoredMessage) => (msg.flags & EPHEMERAL) === 0;

async function applyCallback(deps: Deps, record: InteractionState, type: number, data: Json | undefined, req: RouteRequest) {
  const { store } = deps;
  const isComponent = record.type === 3 || (record.type === 5 && record.original !== undefined);
  const allowed: Record<number, boolean> = {
    4: record.type !== 4,
    5: record.type !== 4,
    6: isComponent,
    7: isComponent,
    8: record.type === 4,
    9: record.type !== 4 && record.type !== 5,
  };
  if (!allowed[type]) throw invalidFormBody(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', 'Invalid interaction response type');
  if (type === 4) {
    const msg = await createMessage(data, req.files, context(deps, record, responseType(record)));
    store.setOriginal(record, msg, visible(msg));
  } else if (type === 5) {
    // A deferred reply is a real message in the "thinking" state (LOADING flag) until edited.
    const flags = LOADING | ((Number(data?.flags ?? 0) & EPHEMERAL) !== 0 ? EPHEMERAL : 0);
    const base = await createMessage({ content: '…' }, [], context(deps, record, responseType(record)));
    const msg: StoredMessage = { ...base, content: '', flags };
    store.setOriginal(record, msg, visible(msg));
  } else if (type === 7 && record.original) {
    const msg = await editMessage(record.original, data, req.files, context(deps, record, record.original.type));
    store.setOriginal(record, msg, visible(msg));
  } else if (type === 9) {
    const title = typeof data?.title === 'string' ? data.title : '';
    if (title.length > 45) throw invalidFormBody(['data', 'title'], 'BASE_TYPE_MAX_LENGTH', 'Must be 45 or fewer in length.');
  }
}

/** POST /interactions/{id}/{token}/callback — the 3-second, answer-once initial response. */
async function callback(req: RouteRequest, deps: Deps): Promise<RouteResult> {
  const record = deps.store.interactions.get(req.params.id ?? '');
  if (!record || record.token !== req.params.token) throw Errors.unknownInteraction();
  const type = Number(req.json?.type);
  const data = req.json?.data as Json | undefined;
  const withResponse = req.query.get('with_response') === 'true';
  const entry = { type, data, withResponse, at: Date.now(), status: 0 };
  record.callbacks.push(entry);
  try {
    const now = Date.now();
    if (!record.acknowledged && (now > record.deadlineAt || now > record.expiresAt)) throw Errors.unknownInteraction();
    if (record.acknowledged) throw Errors.alreadyAcknowledged();
    await applyCallback(deps, record, type, data, req);
    record.acknowledged = true;
    entry.status = withResponse ? 200 : 204;
  } catch (error) {
    entry.status = (error as { status?: number }).status ?? 500;
    throw error;
  } finally {
    deps.store.emit('callback', record, entry);
  }
  if (!withResponse) return { status: 204 };
  const msg = record.original;
  const hasMessage = msg !== undefined && (type === 4 || type === 5 || type === 7);
  return {
    status: 200,
    body: {
      interaction: {
        id: record.id,
        type: record.type,
        ...(hasMessage
          ? {
              response_message_id: msg.id,
              response_message_loading: (msg.flags & LOADING) !== 0,
              response_message_ephemeral: (msg.flags & EPHEMERAL) !== 0,
            }
          : {}),
      },
      resource: { type, ...(hasMessage ? { message: messageJson(deps.world, msg, record.payload) } : {}) },
    },
  };
}

/** The interaction webhook behind /webhooks/{app}/{token}: dead after the lifetime, or if never acknowledged in time. */
function interactionFor(req: RouteRequest, deps: Deps): InteractionState {
  if (req.params.app !== deps.world.applicationId) throw Errors.unknownWebhook();
  const record = deps.store.byToken.get(req.params.token ?? '');
  const now = Date.now();
  if (!record || now > record.expiresAt || (!record.acknowledged && now > record.deadlineAt)) {
    throw Errors.invalidWebhookToken();
  }
  return record;
}

function target(record: InteractionState, id: string): StoredMessage {
  const msg = id === '@original' || id === record.original?.id ? record.original : record.followUps.find((m) => m.id === id);
  if (!msg || msg.deleted) throw Errors.unknownMessage();
  return msg;
}

async function editWebhookMessage(req: RouteRequest, deps: Deps): Promise<RouteResult> {
  const record = interactionFor(req, deps);
  const prev = target(record, req.params.message ?? '');
  const msg = await editMessage(prev, req.json, req.files, context(deps, record, prev.type));
  if (prev === record.original) {
    deps.store.setOriginal(record, msg, visible(msg));
  } else {
    record.followUps = record.followUps.map((m) => (m.id === msg.id ? msg : m));
    deps.store.put(msg, visible(msg));
    deps.store.emit('followUp', record, msg);
  }
  return { status: 200, body: messageJson(deps.world, msg, record.payload) };
}

function deleteWebhookMessage(req: RouteRequest, deps: Deps): RouteResult {
  const record = interactionFor(req, deps);
  const prev = target(record, req.params.message ?? '');
  const msg = { ...prev, deleted: true };
  if (prev === record.original) deps.store.setOriginal(record, msg, visible(msg));
  else deps.store.put(msg, visible(msg));
  return { status: 204 };
}

/** POST /webhooks/{app}/{token}: a follow-up; right after a defer it fills in the loading message instead. */
async function followUp(req: RouteRequest, deps: Deps): Promise<RouteResult> {
  const record = interactionFor(req, deps);
  const original = record.original;
  let msg: StoredMessage;
  if (original && (original.flags & LOADING) !== 0 && !original.deleted) {
    msg = await editMessage(original, req.json, req.files, context(deps, record, original.type));
    deps.store.setOriginal(record, msg, visible(msg));
  } else {
    msg = await createMessage(req.json, req.files, context(deps, record, 0));
    record.followUps.push(msg);
    deps.store.put(msg, visible(msg));
    deps.store.emit('followUp', record, msg);
  }
  // Without wait=true Discord answers 204 and the caller never learns the message.
  if (req.query.get('wait') !== 'true') return { status: 204 };
  return { status: 200, body: messageJson(deps.world, msg, record.payload) };
}

const byWebhook = (p: Record<string, string>) => `${p.app}/${p.token}`;
const hook = '/webhooks/:app/:token';

export const interactionRoutes: Route<Deps>[] = [
  { method: 'POST', pattern: '/interactions/:id/:token/callback', auth: false, limited: false, major: (p) => p.id ?? '', handle: callback },
  { method: 'POST', pattern: hook, auth: false, limited: true, major: byWebhook, handle: followUp },
  { method: 'PATCH', pattern: `${hook}/messages/:message`, auth: false, limited: true, major: byWebhook, handle: editWebhookMessage },
  { method: 'DELETE', pattern: `${hook}/messages/:message`, auth: false, limited: true, major: byWebhook, handle: deleteWebhookMessage },
  {
    method: 'GET',
    pattern: `${hook}/messages/:message`,
    auth: false,
    limited: true,
    major: byWebhook,
    handle: (req, deps) => {
      const record = interactionFor(req, deps);
      return { status: 200, body: messageJson(deps.world, target(record, req.params.message ?? ''), record.payload) };
    },
  },
];
