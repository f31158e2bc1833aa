/**
 * Modals. A trigger_id is single-use and expires 3 s after the interaction that carried it
 * (Slack docs); the error codes are the documented expired_trigger_id / exchanged_trigger_id /
 * invalid_trigger_id. View faults answer invalid_arguments with "[ERROR] ..." messages.
 */
import { randomBytes } from 'node:crypto';
import { SlackApiError, isRecord } from '../args.js';
import { validateBlocks } from '../blocks.js';
import type { FakeSlackState } from '../state.js';
import type { IssuedTrigger, StoredView } from '../types.js';
import type { MethodContext, MethodHandler } from './context.js';

const MAX_PUSHED = 3;

function exchangeTrigger({ state, args }: MethodContext): IssuedTrigger {
  const id = args.optStr('trigger_id') ?? args.optStr('interactivity_pointer');
  if (id === undefined) throw new SlackApiError('invalid_arguments', { detail: 'trigger_id is required' });
  const trigger = state.triggers.get(id);
  if (!trigger) throw new SlackApiError('invalid_trigger_id');
  if (trigger.exchanged) throw new SlackApiError('exchanged_trigger_id');
  if (state.now() - trigger.issuedAt > state.limits.triggerTtlMs) throw new SlackApiError('expired_trigger_id');
  trigger.exchanged = true;
  return trigger;
}

function readView(ctx: MethodContext): Record<string, unknown> {
  const view = ctx.args.optJson('view');
  if (!isRecord(view)) throw new SlackApiError('invalid_arguments', { detail: 'view is required' });
  const errors: string[] = [];
  const fault = (pointer: string, reason: string): void => {
    errors.push(`[ERROR] ${reason} [json-pointer:/view${pointer}]`);
  };
  if (view.type !== 'modal') fault('/type', "must be 'modal'");
  const title = isRecord(view.title) ? view.title.text : undefined;
  if (typeof title !== 'string' || title.length === 0 || title.length > 24) fault('/title/text', 'must be 1 to 24 characters');
  const blocks = view.blocks;
  for (const line of validateBlocks(blocks, 'modal')) errors.push(line.replace('json-pointer:', 'json-pointer:/view'));
  const hasInput = Array.isArray(blocks) && blocks.some((b) => isRecord(b) && b.type === 'input');
  if (hasInput && !isRecord(view.submit)) fault('/submit', 'is required when blocks contain input');
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    fault('/private_metadata', 'must be less than 3001 characters');
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) fault('/callback_id', 'must be less than 256 characters');
  if (errors.length > 0) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: errors } });
  return view;
}

function render(state: FakeSlackState, id: string, view: Record<string, unknown>, rootId: string, previous: string | null): Record<string, unknown> {
  return {
    id,
    team_id: state.identity.teamId,
    type: 'modal',
    title: view.title,
    close: view.close ?? null,
    submit: view.submit ?? null,
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    external_id: view.external_id ?? '',
    state: { values: {} },
    hash: `${Math.floor(state.now() / 1000)}.${randomBytes(4).toString('hex')}`,
    clear_on_close: Boolean(view.clear_on_close),
    notify_on_close: Boolean(view.notify_on_close),
    root_view_id: rootId,
    previous_view_id: previous,
    app_id: state.identity.appId,
    app_installed_team_id: state.identity.teamId,
    bot_id: state.identity.botId,
  };
}

function store(state: FakeSlackState, userId: string, view: Record<string, unknown>, rootId?: string, previous?: string): StoredView {
  const id = state.newId('V');
  if (typeof view.external_id === 'string' && view.external_id !== '') {
    const clash = [...state.views.values()].some((v) => v.view.external_id === view.external_id);
    if (clash) throw new SlackApiError('duplicate_external_id');
  }
  const rendered = render(state, id, view, rootId ?? id, previous ?? null);
  const stored: StoredView = { id, user_id: userId, view: rendered, history: [rendered], closed: false };
  state.views.set(id, stored);
  state.changed('view');
  return stored;
}

const open: MethodHandler = (ctx) => {
  const view = readView(ctx);
  const trigger = exchangeTrigger(ctx);
  return { view: store(ctx.state, trigger.user_id, view).view };
};

const push: MethodHandler = (ctx) => {
  const view = readView(ctx);
  const trigger = exchangeTrigger(ctx);
  const parent = trigger.view_id ? ctx.state.views.get(trigger.view_id) : undefined;
  if (!parent) throw new SlackApiError('not_found');
  const rootId = String(parent.view.root_view_id);
  const depth = [...ctx.state.views.values()].filter((v) => v.view.root_view_id === rootId && !v.closed).length;
  if (depth > MAX_PUSHED) throw new SlackApiError('push_limit_reached');
  return { view: store(ctx.state, trigger.user_id, view, rootId, parent.id).view };
};

const update: MethodHandler = (ctx) => {
  const { state, args } = ctx;
  const viewId = args.optStr('view_id');
  const externalId = args.optStr('external_id');
  const target = [...state.views.values()].find(
    (v) => (viewId !== undefined && v.id === viewId) || (externalId !== undefined && v.view.external_id === externalId),
  );
  if (!target) throw new SlackApiError('not_found');
  const hash = args.optStr('hash');
  if (hash !== undefined && hash !== target.view.hash) throw new SlackApiError('hash_conflict');
  const view = readView(ctx);
  const rendered = render(state, target.id, view, String(target.view.root_view_id), (target.view.previous_view_id as string | null) ?? null);
  target.view = rendered;
  target.history.push(rendered);
  state.changed('view');
  return { view: rendered };
};

export const viewMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
};
