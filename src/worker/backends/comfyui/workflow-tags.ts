/**
 * Role tags in node titles: an operator marks the nodes the service edits by putting `$prompt`,
 * `$seed:noise_seed`, ... in a node's title (`_meta.title`, kept by ComfyUI's API export and set
 * from its UI). This lets any exported graph (Flux, SD3, video models, model-free test graphs)
 * be driven without the service knowing its node classes. Tags only say where a value goes; values
 * are always assigned as data.
 */
export const TEMPLATE_ROLES = ['prompt', 'negative', 'seed', 'steps', 'width', 'height', 'count', 'frames', 'model', 'image', 'denoise', 'output'] as const;
export type TemplateRole = (typeof TEMPLATE_ROLES)[number];

/** Where one role's value is written: node `nodeId`, input `input` (undefined: an output node with no prefix input). */
export interface RoleTarget {
  nodeId: string;
  input: string | undefined;
}
export type RoleTargets = Partial<Record<TemplateRole, RoleTarget[]>>;

export interface TagNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

export class TemplateTagError extends Error {}

/** Inputs a `$model` tag without `:input` sets, in order (also read by the model choice). */
export const MODEL_INPUTS = ['ckpt_name', 'unet_name', 'model_name', 'value'];

/** Inputs a tag without `:input` sets, tried in order; the first one the node has wins. */
const DEFAULT_INPUTS: Record<TemplateRole, string[]> = {
  prompt: ['text', 'prompt', 'value', 'string'],
  negative: ['text', 'prompt', 'value', 'string'],
  seed: ['seed', 'noise_seed', 'value'],
  steps: ['steps', 'value'],
  width: ['width', 'value'],
  height: ['height', 'value'],
  count: ['batch_size', 'amount', 'value'],
  // Video latents name the clip length `length` (Wan, Hunyuan, LTXV) or `frames`; AnimateDiff's is the batch.
  frames: ['length', 'frames', 'video_frames', 'frame_count', 'batch_size', 'value'],
  model: MODEL_INPUTS,
  image: ['image', 'value'],
  denoise: ['denoise', 'value'],
  output: ['filename_prefix'],
};

/** Text encoders with several text inputs get the prompt in each of them. */
export const MULTI_TEXT_INPUTS: Record<string, string[]> = {
  CLIPTextEncodeSDXL: ['text_g', 'text_l'],
  CLIPTextEncodeSD3: ['clip_l', 'clip_g', 't5xxl'],
  CLIPTextEncodeFlux: ['clip_l', 't5xxl'],
  CLIPTextEncodeHunyuanDiT: ['bert', 'mt5xl'],
};

const TAG = /(?:^|\s)\$([A-Za-z_]+)(?::([A-Za-z0-9_]+))?(?=\s|$)/g;

function isRole(name: string): name is TemplateRole {
  return (TEMPLATE_ROLES as readonly string[]).includes(name);
}

/** The tags in one title, e.g. "$width $height $count" or "$seed:noise_seed". Unknown `$words` are errors (likely typos). */
export function parseTitleTags(title: string): Array<{ role: TemplateRole; input: string | undefined }> {
  const tags: Array<{ role: TemplateRole; input: string | undefined }> = [];
  for (const match of title.matchAll(TAG)) {
    const name = match[1]!.toLowerCase();
    if (!isRole(name)) throw new TemplateTagError(`unknown role tag $${match[1]} in title ${JSON.stringify(title)} (known: ${TEMPLATE_ROLES.map((r) => `$${r}`).join(' ')})`);
    tags.push({ role: name, input: match[2] });
  }
  return tags;
}

const isLinkValue = (value: unknown): boolean => Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';

function settable(node: TagNode, input: string): boolean {
  return Object.hasOwn(node.inputs, input) && !isLinkValue(node.inputs[input]);
}

/** The inputs a tag sets on its node; throws TemplateTagError when the node has no such widget input. */
export function resolveTagInputs(nodeId: string, node: TagNode, role: TemplateRole, input: string | undefined): RoleTarget[] {
  if (input !== undefined) {
    if (!settable(node, input)) throw new TemplateTagError(`$${role}:${input} on node ${nodeId} (${node.class_type}): the node has no unconnected input ${input}`);
    return [{ nodeId, input }];
  }
  if ((role === 'prompt' || role === 'negative') && MULTI_TEXT_INPUTS[node.class_type]) {
    const inputs = MULTI_TEXT_INPUTS[node.class_type]!.filter((name) => settable(node, name));
    if (inputs.length > 0) return inputs.map((name) => ({ nodeId, input: name }));
  }
  const found = DEFAULT_INPUTS[role].find((name) => settable(node, name));
  if (found !== undefined) return [{ nodeId, input: found }];
  // An output node may have nothing to set (PreviewImage, SaveImageWebsocket): it still names the results.
  if (role === 'output') return [{ nodeId, input: undefined }];
  throw new TemplateTagError(`$${role} on node ${nodeId} (${node.class_type}): none of its inputs fits (${DEFAULT_INPUTS[role].join(', ')}); name one with $${role}:<input>`);
}

/** Every tagged role in the workflow, in node id order; empty when no title carries a tag. */
export function findTaggedRoles(workflow: Record<string, TagNode>): RoleTargets {
  const targets: RoleTargets = {};
  const ids = Object.keys(workflow).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  for (const nodeId of ids) {
    const node = workflow[nodeId]!;
    const title = node._meta?.title;
    if (!title) continue;
    for (const { role, input } of parseTitleTags(title)) {
      (targets[role] ??= []).push(...resolveTagInputs(nodeId, node, role, input));
    }
  }
  return targets;
}
