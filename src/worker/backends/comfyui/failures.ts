import { z } from 'zod';
import { GenerationError } from '../../../core/errors.js';

/**
 * Turns ComfyUI's failure payloads into GenerationErrors whose userMessage is safe to show:
 * one line, no traceback, no file path, no URL credentials, bounded length. The full payload is
 * kept as the error's cause for the logs.
 */
const MAX_DETAIL = 180;

export function sanitizeForUser(text: string, max = MAX_DETAIL): string {
  const firstLine = text.split(/\r?\n/).find((line) => line.trim().length > 0) ?? '';
  const cleaned = firstLine
    // URLs first (they may carry user:password@), then anything that looks like a file path.
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]')
    .replace(/(?:[A-Za-z]:)?(?:[\\/][^\\/\s'",;:()]+){2,}[\\/]?/g, '[path]')
    .replace(/\b[^\s'"()]+\.(?:py|safetensors|ckpt|pt|pth|bin|json|yaml|onnx)\b/gi, '[file]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

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

/** A 400 from POST /prompt: the workflow or a value in it was refused. Retrying cannot help. */
export function rejectionError(status: number, body: unknown): GenerationError {
  const parsed = rejectionSchema.safeParse(body);
  const parts: string[] = [];
  if (parsed.success) {
    const nodeErrors = parsed.data.node_errors;
    if (nodeErrors && !Array.isArray(nodeErrors)) {
      for (const [nodeId, entry] of Object.entries(nodeErrors)) {
        const node = `${entry.class_type ?? 'node'} (node ${nodeId})`;
        for (const item of entry.errors) parts.push(`${node} ${describeError(item)}`);
      }
    }
    const top = parsed.data.error;
    if (parts.length === 0 && top !== undefined) {
      parts.push(typeof top === 'string' ? top : describeError(top));
    }
  }
  const summary = parts.length > 0 ? sanitizeForUser(parts.slice(0, 2).join('; '), 240) : `HTTP ${status}`;
  return new GenerationError('backend_rejected', `The image server rejected the workflow: ${summary}`, 'never', {
    cause: { status, body },
  });
}

const executionErrorSchema = z.object({
  node_id: z.union([z.string(), z.number()]).nullable().optional(),
  node_type: z.string().nullable().optional(),
  exception_type: z.string().optional(),
  exception_message: z.string().optional(),
});

/** execution_error: a node raised while running. Same inputs would raise again, so no retry. */
export function executionError(data: Record<string, unknown>): GenerationError {
  const parsed = executionErrorSchema.safeParse(data);
  const info = parsed.success ? parsed.data : {};
  const node = info.node_type ? `${info.node_type}${info.node_id != null ? ` (node ${info.node_id})` : ''}` : 'a node';
  // 'torch.OutOfMemoryError' -> 'OutOfMemoryError': the module path is noise to a user.
  const type = info.exception_type?.split('.').at(-1);
  const message = sanitizeForUser(info.exception_message ?? '');
  const what = [type, message].filter((s) => s && s.length > 0).join(': ') || 'an unknown error';
  return new GenerationError('execution_failed', `The image server failed while running ${node}: ${what}`, 'never', {
    cause: data,
  });
}

/** An interrupt we did not ask for (an operator pressed cancel in the ComfyUI UI). */
export function interruptedError(data: Record<string, unknown>): GenerationError {
  return new GenerationError('execution_interrupted', 'The run was interrupted on the image server.', 'backoff', { cause: data });
}

export function unreachableError(cause: unknown): GenerationError {
  return new GenerationError('backend_unreachable', 'The image server is not reachable right now; the job will be retried.', 'backoff', {
    cause,
  });
}
