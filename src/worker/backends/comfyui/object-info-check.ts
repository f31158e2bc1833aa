import { GenerationError } from '../../../core/errors.js';
import type { ModelCheck, TemplateCheck } from '../../../core/backend-report.js';
import type { ModelOffer } from '../../../shared/model-offers.js';
import { findModelSlot, templateCheckpoint } from './model-choice.js';
import { applyGenerationInput, type ApiWorkflow } from './workflow.js';

/**
 * Templates and models checked against what a ComfyUI server says it has (GET /object_info), so
 * an operator learns of a missing node pack or checkpoint before a user's job does. Pure: the
 * object_info and the templates come in, sentences come out.
 *
 * object_info describes each input as [type, options]: a list of choices is either the type
 * itself (`[["a.safetensors", ...], {tooltip}]`, classic nodes such as CheckpointLoaderSimple) or
 * `["COMBO", {options: [...]}]` (nodes written against comfy_api's newer schema).
 */
export type ObjectInfo = Record<string, { input?: { required?: Record<string, unknown>; optional?: Record<string, unknown> } }>;

/** The choices an input accepts, or null when it is not a list of choices (a number, a link, text). */
export function inputChoices(info: ObjectInfo, classType: string, input: string): string[] | null {
  const inputs = info[classType]?.input;
  const spec = inputs?.required?.[input] ?? inputs?.optional?.[input];
  if (!Array.isArray(spec)) return null;
  const [type, options] = spec as [unknown, unknown];
  const list = Array.isArray(type) ? type : type === 'COMBO' ? (options as { options?: unknown } | undefined)?.options : undefined;
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : null;
}

/** Checkpoints the server has, as CheckpointLoaderSimple lists them. */
export function serverCheckpoints(info: ObjectInfo): string[] {
  return inputChoices(info, 'CheckpointLoaderSimple', 'ckpt_name') ?? [];
}

const SAMPLE_INPUT = { jobId: 'backend-check', prompt: 'check', negativePrompt: '', width: 512, height: 512, seed: 1, steps: 1, count: 1 } as const;

function listed(values: readonly string[]): string {
  if (values.length === 0) return 'none';
  const shown = values.slice(0, 8).join(', ');
  return values.length > 8 ? `${shown} and ${values.length - 8} more` : shown;
}

/**
 * One template: its shape (what the worker edits must be there), every node type installed, and
 * every fixed choice (sampler, scheduler, LoRA...) one the server offers. An image template's model
 * slot is left to the model check, since a chosen model replaces it; a video template keeps its own
 * model, so that file is checked here.
 */
export function checkTemplate(name: string, workflow: ApiWorkflow, info: ObjectInfo, kind: 'image' | 'video'): TemplateCheck {
  const problems: string[] = [];
  try {
    applyGenerationInput(workflow, { ...SAMPLE_INPUT, kind });
  } catch (error) {
    const detail = error instanceof GenerationError && error.cause instanceof Error ? error.cause.message : 'its shape is not one the worker can fill in';
    problems.push(`template ${name}: ${detail}`);
  }
  const slot = kind === 'image' ? findModelSlot(workflow) : undefined;
  for (const [id, node] of Object.entries(workflow)) {
    if (!info[node.class_type]) {
      problems.push(`template ${name}: node ${id} is a ${node.class_type}, which the image server does not have (a custom node pack not installed?)`);
      continue;
    }
    for (const [input, value] of Object.entries(node.inputs)) {
      if (typeof value !== 'string' || (slot && slot.nodeId === id && slot.input === input)) continue;
      const choices = inputChoices(info, node.class_type, input);
      if (choices && !choices.includes(value)) {
        problems.push(`template ${name}: node ${id} (${node.class_type}) ${input} "${value}" is not on the image server (it has: ${listed(choices)})`);
      }
    }
  }
  return { name, runs: problems.length === 0, problems };
}

/**
 * One offered model: its template runs, and its checkpoint (the offer's, else the template's own)
 * is one the server lists for the template's model slot.
 */
export function checkModel(offer: ModelOffer, template: { name: string; workflow: ApiWorkflow | undefined; check: TemplateCheck | undefined }, info: ObjectInfo): ModelCheck {
  const base = { id: offer.id, label: offer.label };
  if (!template.workflow || !template.check) return { ...base, available: false, problem: `model ${offer.id}: template ${template.name} could not be read` };
  if (!template.check.runs) return { ...base, available: false, problem: `model ${offer.id}: template ${template.name} will not run` };
  const slot = findModelSlot(template.workflow);
  const checkpoint = offer.checkpoint ?? templateCheckpoint(template.workflow);
  if (!slot || checkpoint === undefined) {
    return offer.checkpoint
      ? { ...base, available: false, problem: `model ${offer.id}: template ${template.name} has no single checkpoint loader to set "${offer.checkpoint}" on` }
      : { ...base, available: true };
  }
  const choices = inputChoices(info, template.workflow[slot.nodeId]!.class_type, slot.input);
  if (choices && !choices.includes(checkpoint)) {
    return { ...base, available: false, problem: `model ${offer.id}: checkpoint "${checkpoint}" is not on the image server (it has: ${listed(choices)})` };
  }
  return { ...base, available: true };
}
