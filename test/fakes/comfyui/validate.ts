import type { NodeDef } from './nodes.js';

/**
 * POST /prompt validation with ComfyUI's shapes and wording (execution.py `validate_prompt` and
 * `validate_inputs` at a125cd8): prompt-level errors, per-input errors collected per node, and
 * only nodes that carry reasons listed in node_errors.
 */
export interface ErrorItem {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}
export interface NodeErrorEntry {
  errors: ErrorItem[];
  dependent_outputs: string[];
  class_type: string;
}
export type ValidationResult =
  | { ok: true; outputs: string[]; nodeErrors: Record<string, NodeErrorEntry> }
  | { ok: false; error: ErrorItem; nodeErrors: Record<string, NodeErrorEntry> };

type Prompt = Record<string, { class_type?: unknown; inputs?: Record<string, unknown> }>;
type Verdict = { valid: boolean; errors: ErrorItem[] };

const error = (type: string, message: string, details: string, extra_info: Record<string, unknown> = {}): ErrorItem => ({
  type,
  message,
  details,
  extra_info,
});

/** Python's repr of a list of strings, as ComfyUI prints combo options. */
const pyList = (items: string[]): string => `[${items.map((s) => `'${s}'`).join(', ')}]`;

function coerce(type: string, value: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (type === 'INT' || type === 'FLOAT') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n)) return { ok: false, reason: `invalid literal for ${type === 'INT' ? 'int()' : 'float()'}: '${String(value)}'` };
    return { ok: true, value: type === 'INT' ? Math.trunc(n) : n };
  }
  if (type === 'STRING') return { ok: true, value: String(value) };
  if (type === 'BOOLEAN') return { ok: true, value: Boolean(value) };
  return { ok: true, value };
}

function validateNode(prompt: Prompt, defs: Record<string, NodeDef>, id: string, validated: Map<string, Verdict>, checks: ValidationChecks): Verdict {
  const known = validated.get(id);
  if (known) return known;
  // Mark first so a cycle cannot recurse forever.
  validated.set(id, { valid: true, errors: [] });
  const node = prompt[id]!;
  const nodeDef = defs[String(node.class_type)]!;
  const inputs = node.inputs ?? {};
  const errors: ErrorItem[] = [];
  let valid = true;
  for (const [name, [type, options = {}]] of Object.entries(nodeDef.input.required)) {
    if (!(name in inputs)) {
      errors.push(error('required_input_missing', 'Required input is missing', name, { input_name: name }));
      continue;
    }
    const value = inputs[name];
    if (Array.isArray(value)) {
      const [sourceId, slot] = value as unknown[];
      const source = typeof sourceId === 'string' ? prompt[sourceId] : undefined;
      if (value.length !== 2 || typeof slot !== 'number' || !source) {
        errors.push(error('bad_linked_input', 'Bad linked input, must be a length-2 list of [node_id, slot_index]', name, { input_name: name, received_value: value }));
        continue;
      }
      const received = defs[String(source.class_type)]?.output[slot];
      if (typeof type === 'string' && received !== type) {
        errors.push(
          error('return_type_mismatch', 'Return type mismatch between linked nodes', `${name}, received_type(${received}) mismatch input_type(${type})`, {
            input_name: name,
            received_type: received,
            linked_node: value,
          }),
        );
        continue;
      }
      if (!validateNode(prompt, defs, sourceId as string, validated, checks).valid) valid = false;
      continue;
    }
    if (nodeDef.selfValidated?.includes(name)) {
      // LoadImage.VALIDATE_INPUTS: folder_paths.exists_annotated_filepath(image).
      if (!checks.inputExists(String(value))) {
        errors.push(error('custom_validation_failed', 'Custom validation failed for node', `${name} - Invalid image file: ${String(value)}`, { input_name: name, received_value: value }));
      }
      continue;
    }
    if (Array.isArray(type)) {
      if (!type.includes(String(value))) {
        const list = type.length > 20 ? `(list of length ${type.length})` : pyList(type);
        errors.push(error('value_not_in_list', 'Value not in list', `${name}: '${String(value)}' not in ${list}`, { input_name: name, received_value: value }));
      }
      continue;
    }
    const coerced = coerce(type, value);
    if (!coerced.ok) {
      errors.push(error('invalid_input_type', `Failed to convert an input value to a ${type} value`, `${name}, ${String(value)}, ${coerced.reason}`, { input_name: name, received_value: value }));
      continue;
    }
    const n = coerced.value;
    if (typeof n === 'number' && options.min !== undefined && n < options.min) {
      errors.push(error('value_smaller_than_min', `Value ${n} smaller than min of ${options.min}`, name, { input_name: name, received_value: n }));
    } else if (typeof n === 'number' && options.max !== undefined && n > options.max) {
      errors.push(error('value_bigger_than_max', `Value ${n} bigger than max of ${options.max}`, name, { input_name: name, received_value: n }));
    }
  }
  const verdict = { valid: valid && errors.length === 0, errors };
  validated.set(id, verdict);
  return verdict;
}

/** What validation asks of the server's state. */
export interface ValidationChecks {
  inputExists(name: string): boolean;
}

export function validatePrompt(prompt: unknown, defs: Record<string, NodeDef>, checks: ValidationChecks = { inputExists: () => false }): ValidationResult {
  if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt)) {
    return { ok: false, error: error('invalid_prompt', 'Cannot execute because the prompt is not an object.', ''), nodeErrors: {} };
  }
  const nodes = prompt as Prompt;
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(nodes)) {
    if (typeof node !== 'object' || node === null || !('class_type' in node)) {
      return { ok: false, error: error('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`), nodeErrors: {} };
    }
    const nodeDef = defs[String(node.class_type)];
    if (!nodeDef) {
      return { ok: false, error: error('invalid_prompt', `Cannot execute because node ${String(node.class_type)} does not exist.`, `Node ID '#${id}'`), nodeErrors: {} };
    }
    if (nodeDef.output_node) outputs.push(id);
  }
  if (outputs.length === 0) return { ok: false, error: error('prompt_no_outputs', 'Prompt has no outputs', ''), nodeErrors: {} };

  const validated = new Map<string, Verdict>();
  const good: string[] = [];
  const failed: string[] = [];
  const nodeErrors: Record<string, NodeErrorEntry> = {};
  for (const output of outputs) {
    if (validateNode(nodes, defs, output, validated, checks).valid) {
      good.push(output);
      continue;
    }
    failed.push(output);
    for (const [id, verdict] of validated) {
      if (verdict.valid || verdict.errors.length === 0) continue;
      nodeErrors[id] ??= { errors: verdict.errors, dependent_outputs: [], class_type: String(nodes[id]!.class_type) };
      nodeErrors[id].dependent_outputs.push(output);
    }
  }
  if (good.length === 0) {
    const details = Object.values(nodeErrors)
      .flatMap((entry) => entry.errors.map((e) => `${e.message}: ${e.details}`))
      .join('\n');
    return { ok: false, error: error('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details), nodeErrors };
  }
  return { ok: true, outputs: good, nodeErrors };
}
