import { z } from 'zod';
import { GenerationError } from '../../../core/errors.js';
import type { JobFailureDetails } from '../../../core/job-failures.js';
import { sanitizeBackendText } from '../../backend-text.js';

/**
 * Turns ComfyUI's failure payloads into GenerationErrors: a code and details naming the place
 * (node, input), plus an admin text that is one line, no traceback, no file path, no URL
 * credentials, bounded length. The full payload is kept as the error's cause for the logs.
 */
const errorItem = z.object({
  type: z.string().default('unknown'),
  message: z.string().default(''),
  details: z.unknown().optional(),
  extra_info: z.record(z.string(), z.unknown()).nullable().optional(),
});
const rejectionSchema = z.object({
  error: z.union([errorItem, z.string()]).optional(),
  node_errors: z
    .union([
      z.record(z.string(), z.object({ errors: z.array(errorItem).default([]), class_type: z.string().optional() })),
      z.array(z.unknown()),
    ])
    .optional(),
});

function describeError(item: z.infer<typeof errorItem>): string {
  const input = typeof item.extra_info?.input_name === 'string' ? item.extra_info.input_name : undefined;
  const details = typeof item.details === 'string' ? item.details : '';
  // Validation errors put the input name in details ("steps") or lead with it ("ckpt_name: 'x' not in ...").
  const detailIsInput = input !== undefined && (details === input || details.startsWith(`${input}:`) || details.startsWith(`${input},`));
  const where = input ? `input '${input}': ` : '';
  const extra = details && !detailIsInput ? ` (${details})` : '';
  return `${where}${item.message}${extra}`;
}

/** Short names only (a node type, an input, an error type): anything else is not a name. */
function nameOrUndefined(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && /^[\w.:#-]{1,80}$/.test(value) ? value : undefined;
}

/** "Cannot execute because node Foo does not exist." with details "Node ID '#3'" (older ComfyUI). */
function missingNodePlace(item: z.infer<typeof errorItem>): { node?: string; nodeType?: string } {
  const nodeType = nameOrUndefined(item.extra_info?.class_type) ?? nameOrUndefined(/node (\S+) does not exist/.exec(item.message)?.[1]);
  const node = nameOrUndefined(item.extra_info?.node_id) ?? nameOrUndefined(/Node ID '#([^']+)'/.exec(typeof item.details === 'string' ? item.details : '')?.[1]);
  return { ...(node ? { node } : {}), ...(nodeType ? { nodeType } : {}) };
}

/**
 * A 400 from POST /prompt: the workflow or a value in it was refused. Retrying cannot help. The
 * details name the first node, input and error type at fault; ComfyUI's sentences are admin text.
 */
export function rejectionError(status: number, body: unknown): GenerationError<'backend_rejected'> {
  const parsed = rejectionSchema.safeParse(body);
  const parts: string[] = [];
  let details: JobFailureDetails['backend_rejected'] = {};
  if (parsed.success) {
    const nodeErrors = parsed.data.node_errors;
    if (nodeErrors && !Array.isArray(nodeErrors)) {
      for (const [nodeId, entry] of Object.entries(nodeErrors)) {
        const node = `${entry.class_type ?? 'node'} (node ${nodeId})`;
        for (const item of entry.errors) {
          parts.push(`${node} ${describeError(item)}`);
          if (Object.keys(details).length > 0) continue;
          const input = nameOrUndefined(item.extra_info?.input_name);
          const problem = nameOrUndefined(item.type);
          const nodeType = nameOrUndefined(entry.class_type);
          details = { node: nodeId, ...(nodeType ? { nodeType } : {}), ...(input ? { input } : {}), ...(problem ? { problem } : {}) };
        }
      }
    }
    const top = parsed.data.error;
    if (parts.length === 0 && top !== undefined) {
      parts.push(typeof top === 'string' ? top : describeError(top));
      if (typeof top !== 'string') {
        const problem = /does not exist/.test(top.message) ? 'missing_node_type' : nameOrUndefined(top.type);
        details = { ...missingNodePlace(top), ...(problem ? { problem } : {}) };
      }
    }
  }
  const summary = parts.length > 0 ? sanitizeBackendText(parts.slice(0, 2).join('; '), 400) : `HTTP ${status}`;
  return new GenerationError('backend_rejected', details, 'never', { cause: { status, body }, adminText: summary });
}

const executionErrorSchema = z.object({
  node_id: z.union([z.string(), z.number()]).nullable().optional(),
  node_type: z.string().nullable().optional(),
  exception_type: z.string().optional(),
  exception_message: z.string().optional(),
});

/**
 * execution_error: a node raised while running. Same inputs would raise again, so no retry. The
 * user hears which step failed; the exception's text is for the log and the admins.
 */
export function executionError(data: Record<string, unknown>): GenerationError<'execution_failed'> {
  const parsed = executionErrorSchema.safeParse(data);
  const info = parsed.success ? parsed.data : {};
  const node = nameOrUndefined(info.node_id);
  const nodeType = nameOrUndefined(info.node_type);
  // 'torch.OutOfMemoryError' -> 'OutOfMemoryError': the module path is noise.
  const type = info.exception_type?.split('.').at(-1);
  const message = sanitizeBackendText(info.exception_message ?? '', 400);
  const what = [type, message].filter((s) => s && s.length > 0).join(': ') || 'an unknown error';
  return new GenerationError('execution_failed', { ...(node ? { node } : {}), ...(nodeType ? { nodeType } : {}) }, 'never', { cause: data, adminText: what });
}

/** An interrupt we did not ask for (an operator pressed cancel in the ComfyUI UI). */
export function interruptedError(data: Record<string, unknown>): GenerationError<'execution_interrupted'> {
  return new GenerationError('execution_interrupted', {}, 'backoff', { cause: data });
}

export function unreachableError(cause: unknown): GenerationError<'backend_unreachable'> {
  return new GenerationError('backend_unreachable', {}, 'backoff', { cause });
}
