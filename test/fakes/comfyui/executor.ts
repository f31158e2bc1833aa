import { NODE_DEFS, NODE_IMPLS, type NodeContext } from './nodes.js';

/**
 * Runs one queued prompt the way execution.py's PromptExecutor does and reports through `emit`:
 * execution_start, execution_cached, then per node executing / (progress) / executed, and finally
 * execution_success, execution_error or execution_interrupted. Messages that ComfyUI keeps in the
 * history's status are marked `status`.
 */
export type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

export interface ScriptedFailure {
  /** A node id or a class_type. */
  node: string;
  exceptionType: string;
  message: string;
}

export interface ExecutionHooks {
  promptId: string;
  emit(event: string, data: Record<string, unknown>, kind: { status?: boolean; broadcast?: boolean }): void;
  /** A cached node's context does no sampling steps (its result is reused, not recomputed). */
  context(nodeId: string, cached: boolean): NodeContext;
  cachedNodes: ReadonlySet<string>;
  failure: ScriptedFailure | undefined;
  interrupted(): boolean;
  onNode(nodeId: string): void;
  /** A node that runs (not cached) finished; the server reports it in progress_state. */
  onNodeDone?(nodeId: string): void;
}

export interface ExecutionResult {
  success: boolean;
  outputs: Record<string, Record<string, unknown>>;
  meta: Record<string, Record<string, unknown>>;
}

export class InterruptedError extends Error {}

const isLink = (value: unknown): value is [string, number] => Array.isArray(value) && value.length === 2 && typeof value[0] === 'string';

/** Nodes the outputs depend on, dependencies first (ComfyUI's execution list order). */
function executionOrder(prompt: Prompt, outputs: string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const value of Object.values(prompt[id]!.inputs)) if (isLink(value)) visit(value[0]);
    order.push(id);
  };
  for (const id of [...outputs].sort()) visit(id);
  return order;
}

const now = () => Date.now();

export async function executePrompt(prompt: Prompt, outputsToExecute: string[], hooks: ExecutionHooks): Promise<ExecutionResult> {
  const { promptId } = hooks;
  const values = new Map<string, unknown[]>();
  const outputs: Record<string, Record<string, unknown>> = {};
  const meta: Record<string, Record<string, unknown>> = {};
  const executed: string[] = [];
  const order = executionOrder(prompt, outputsToExecute);
  const cached = order.filter((id) => hooks.cachedNodes.has(id));

  hooks.emit('execution_start', { prompt_id: promptId, timestamp: now() }, { status: true });
  hooks.emit('execution_cached', { nodes: cached, prompt_id: promptId, timestamp: now() }, { status: true });

  let current = '';
  let currentInputs: Record<string, unknown> = {};
  try {
    for (const id of order) {
      current = id;
      const node = prompt[id]!;
      const inputs: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(node.inputs)) inputs[name] = isLink(value) ? values.get(value[0])?.[value[1]] : value;
      currentInputs = inputs;
      const isCached = hooks.cachedNodes.has(id);
      if (!isCached) {
        if (hooks.interrupted()) throw new InterruptedError();
        hooks.onNode(id);
        hooks.emit('executing', { node: id, display_node: id, prompt_id: promptId }, {});
        const failure = hooks.failure;
        if (failure && (failure.node === id || failure.node === node.class_type)) {
          throw Object.assign(new Error(failure.message), { pythonType: failure.exceptionType });
        }
      }
      const result = await NODE_IMPLS[node.class_type]!(inputs, hooks.context(id, isCached));
      values.set(id, result.outputs);
      if (result.ui) {
        outputs[id] = result.ui;
        meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
        // Cached output nodes still report their ui so the client sees every output.
        hooks.emit('executed', { node: id, display_node: id, output: result.ui, prompt_id: promptId }, {});
      }
      if (!isCached) {
        executed.push(id);
        hooks.onNodeDone?.(id);
      }
    }
    hooks.emit('execution_success', { prompt_id: promptId, timestamp: now() }, { status: true });
    return { success: true, outputs, meta };
  } catch (error) {
    const nodeType = prompt[current]?.class_type ?? '';
    if (error instanceof InterruptedError) {
      const data = { prompt_id: promptId, node_id: current, node_type: nodeType, executed, timestamp: now() };
      hooks.emit('execution_interrupted', data, { status: true, broadcast: true });
    } else {
      const exceptionType = (error as { pythonType?: string }).pythonType ?? 'RuntimeError';
      const message = error instanceof Error ? error.message : String(error);
      const data = {
        prompt_id: promptId,
        node_id: current,
        node_type: nodeType,
        executed,
        exception_message: message,
        exception_type: exceptionType,
        traceback: [
          '  File "/home/comfy/ComfyUI/execution.py", line 496, in execute\n    output_data, output_ui, has_subgraph = await get_output_data(...)\n',
          `  File "/home/comfy/ComfyUI/nodes.py", line 1492, in ${NODE_DEFS[nodeType] ? nodeType.toLowerCase() : 'run'}\n    raise ${exceptionType}(${JSON.stringify(message)})\n`,
        ],
        current_inputs: Object.fromEntries(Object.keys(currentInputs).map((name) => [name, [String(currentInputs[name])]])),
        current_outputs: {},
        timestamp: now(),
      };
      hooks.emit('execution_error', data, { status: true });
    }
    return { success: false, outputs, meta };
  }
}
