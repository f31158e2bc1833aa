/**
 * Workflow Builder custom steps. Error codes are Slack's documented ones
 * (function_execution_not_found, execution_not_in_running_state, access_denied); which of them
 * Slack returns for a call made with the app's ordinary bot token is UNVERIFIED - we answer
 * access_denied, so an app that ignores Bolt's attachFunctionToken fails loudly here.
 */
import { SlackApiError, isRecord } from '../args.js';
import type { MethodContext, MethodHandler } from './context.js';
import type { FunctionCompletion, FunctionExecution } from '../types.js';

function runningExecution({ state, args, token }: MethodContext): FunctionExecution {
  const id = args.str('function_execution_id', 'function_execution_not_found');
  const execution = state.executions.get(id);
  if (!execution) throw new SlackApiError('function_execution_not_found');
  if (execution.bot_access_token !== token) throw new SlackApiError('access_denied');
  if (execution.state !== 'running') throw new SlackApiError('execution_not_in_running_state');
  return execution;
}

/** Ends a running execution once: later calls for it get execution_not_in_running_state, as Slack answers. */
function finish(ctx: MethodContext, state: 'completed' | 'failed', result: Pick<FunctionCompletion, 'method' | 'outputs' | 'error'>) {
  const execution = runningExecution(ctx);
  execution.state = state;
  ctx.state.completions.push({ ...result, function_execution_id: execution.function_execution_id, token: ctx.token, at: ctx.state.now() });
  ctx.state.changed('function');
  return {};
}

const completeSuccess: MethodHandler = (ctx) => {
  const outputs = ctx.args.optJson('outputs');
  if (!isRecord(outputs)) throw new SlackApiError('invalid_arguments', { detail: 'outputs must be an object' });
  return finish(ctx, 'completed', { method: 'functions.completeSuccess', outputs });
};

const completeError: MethodHandler = (ctx) => finish(ctx, 'failed', { method: 'functions.completeError', error: ctx.args.str('error', 'invalid_arguments') });

export const functionMethods: Record<string, MethodHandler> = {
  'functions.completeSuccess': completeSuccess,
  'functions.completeError': completeError,
};
