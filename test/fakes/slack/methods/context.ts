import type { Args } from '../args.js';
import type { FakeSlackState } from '../state.js';

export interface MethodContext {
  state: FakeSlackState;
  args: Args;
  token: string;
  /** 'function' = a workflow step's bot_access_token issued with a function_executed event. */
  tokenKind: 'bot' | 'function';
  /** Media type of the request body (Slack refuses JSON for some methods). */
  contentType: string;
}

/** Returns the success body (the server adds `ok: true`); throws SlackApiError for `ok: false`. */
export type MethodHandler = (ctx: MethodContext) => Record<string, unknown>;
