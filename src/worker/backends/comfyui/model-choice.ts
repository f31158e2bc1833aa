import { GenerationError } from '../../../core/errors.js';
import type { ModelOffer } from '../../../shared/model-offers.js';
import type { ApiWorkflow } from './workflow.js';
import { MODEL_INPUTS, parseTitleTags } from './workflow-tags.js';

/** Loaders whose `ckpt_name` is the model a template draws with. */
const CHECKPOINT_LOADERS = new Set(['CheckpointLoaderSimple', 'CheckpointLoader', 'ImageOnlyCheckpointLoader']);

export interface ModelSlot {
  nodeId: string;
  input: string;
}

/**
 * Where a template takes its model: a node tagged `$model` in its title (the tag may name the
 * input, default `ckpt_name`), else the one checkpoint loader. Null when neither is unambiguous.
 */
export function findModelSlot(workflow: ApiWorkflow): ModelSlot | null {
  // The one tag grammar (workflow-tags.ts): a title that does not parse is the template's problem, reported by applyGenerationInput.
  const tagged = Object.entries(workflow).flatMap(([id, node]) => {
    let tags: ReturnType<typeof parseTitleTags>;
    try {
      tags = parseTitleTags(node._meta?.title ?? '');
    } catch {
      return [];
    }
    return tags
      .filter((t) => t.role === 'model')
      .map((t) => ({ nodeId: id, input: t.input ?? MODEL_INPUTS.find((name) => name in node.inputs) ?? 'ckpt_name' }));
  });
  if (tagged.length === 1) return tagged[0]!;
  if (tagged.length > 1) return null;
  const loaders = Object.keys(workflow).filter((id) => CHECKPOINT_LOADERS.has(workflow[id]!.class_type));
  return loaders.length === 1 ? { nodeId: loaders[0]!, input: 'ckpt_name' } : null;
}

/** The checkpoint a template draws with as it stands, for the backend check and doctor. */
export function templateCheckpoint(workflow: ApiWorkflow): string | undefined {
  const slot = findModelSlot(workflow);
  const value = slot ? workflow[slot.nodeId]!.inputs[slot.input] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Sets the checkpoint into the template's model slot, as a value (never pasted into JSON). */
export function setCheckpoint(workflow: ApiWorkflow, checkpoint: string): void {
  const slot = findModelSlot(workflow);
  if (!slot) {
    throw new GenerationError('workflow_invalid', {}, 'never', {
      adminText: 'a model was chosen but the template has no single checkpoint loader (or $model node) to set it on',
    });
  }
  workflow[slot.nodeId]!.inputs[slot.input] = checkpoint;
}

/**
 * The offer a job asked for. A job made before models were recorded (no id) runs on the default;
 * an id the config no longer offers fails the job at once (retrying cannot bring it back).
 */
export function offerFor(offers: readonly ModelOffer[], id: string | undefined): ModelOffer | undefined {
  if (id === undefined || id === '') return offers[0];
  const offer = offers.find((o) => o.id === id);
  if (offer) return offer;
  throw new GenerationError('invalid_input', { field: 'model' }, 'never', { adminText: `model "${id}" is no longer offered` });
}
