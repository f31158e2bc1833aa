import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { GenerationError } from '../../../core/errors.js';
import type { GenerationInput, LoraSpec } from '../../../core/generator.js';
import { findTaggedRoles, MULTI_TEXT_INPUTS, TemplateTagError, type RoleTarget, type RoleTargets } from './workflow-tags.js';

export { parseTitleTags, TEMPLATE_ROLES, type RoleTarget, type RoleTargets, type TemplateRole } from './workflow-tags.js';

/**
 * ComfyUI API-format workflows, edited as data. A template is a graph of nodes; we find the nodes
 * that play a role (sampler, prompt encoders, latent, savers) by class_type and by following links
 * from the sampler, then set their inputs. Prompt text is only ever assigned as a value.
 */
type Link = [string, number];
interface ApiNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}
export type ApiWorkflow = Record<string, ApiNode>;

const nodeSchema = z.object({
  class_type: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.object({ title: z.string().optional() }).optional(),
});
const workflowSchema = z.record(z.string().regex(/^[A-Za-z0-9_:.-]+$/), nodeSchema);

/** The template of Upscale jobs (a model-free graph: `$image` in, `$output` out). */
export const UPSCALE_TEMPLATE = 'upscale';

/** Samplers we can drive, and the name each gives its seed input. */
const SAMPLER_SEED_INPUT: Record<string, string> = { KSampler: 'seed', KSamplerAdvanced: 'noise_seed' };
const CHECKPOINT_LOADERS = new Set(['CheckpointLoaderSimple', 'CheckpointLoader', 'ImageOnlyCheckpointLoader']);
/** Output nodes whose filename_prefix we set so files are recognisable on the GPU box. */
const SAVE_NODES = new Set(['SaveImage', 'SaveAnimatedWEBP', 'SaveAnimatedPNG', 'SaveVideo', 'SaveWEBM', 'VHS_VideoCombine']);
const MAX_CONDITIONING_HOPS = 8;

/** A broken template is an operator problem: retrying cannot fix it, and the user sees no internals. */
function templateError(detail: string): GenerationError {
  return new GenerationError('workflow_invalid', {}, 'never', {
    cause: new Error(detail),
    adminText: detail,
  });
}

function isLink(value: unknown): value is Link {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

export async function loadWorkflowTemplate(workflowsDir: string, name: string): Promise<ApiWorkflow> {
  return (await loadVersionedTemplate(workflowsDir, name)).workflow;
}

/** A template's version: its name and a hash of the file's bytes, so any edit makes a new version. */
function templateVersionOf(name: string, text: string): string {
  return `${name}@${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** The template's text, read and hashed (no parse): what a recipe names before the job runs. */
export async function readTemplateVersion(workflowsDir: string, name: string): Promise<string> {
  if (!/^[a-z0-9_-]+$/.test(name)) throw templateError(`bad template name ${JSON.stringify(name)}`);
  return templateVersionOf(name, await readFile(join(workflowsDir, `${name}.json`), 'utf8'));
}

/** The template and the version of the very bytes it was parsed from. */
export async function loadVersionedTemplate(workflowsDir: string, name: string): Promise<{ workflow: ApiWorkflow; version: string }> {
  // The name comes from config; keep it a bare template name so it can never address another file.
  if (!/^[a-z0-9_-]+$/.test(name)) throw templateError(`bad template name ${JSON.stringify(name)}`);
  let text: string;
  try {
    text = await readFile(join(workflowsDir, `${name}.json`), 'utf8');
  } catch (error) {
    throw templateError(`template ${name} unreadable: ${String(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw templateError(`template ${name} is not JSON: ${String(error)}`);
  }
  const parsed = workflowSchema.safeParse(raw);
  if (!parsed.success) throw templateError(`template ${name} is not an API-format workflow: ${parsed.error.message}`);
  return { workflow: parsed.data, version: templateVersionOf(name, text) };
}

/** The ids of the nodes we edited, so the client can label progress by role. */
export interface WorkflowRoles {
  /** The KSampler whose progress is the job's; undefined for tagged graphs without one (progress then comes from any node). */
  samplerId: string | undefined;
  positiveId: string | undefined;
  negativeId: string | undefined;
  latentId: string | undefined;
  /** Output nodes: tagged `$output` nodes, else every known save node. Results are read from these. */
  saveIds: string[];
  loraIds: string[];
  /** Where each role's value went (or goes: `model`, `image`, `denoise` are set by their owners with setRoleValue). */
  targets: RoleTargets;
  /** True when the roles came from `$role` tags in node titles rather than from KSampler discovery. */
  tagged: boolean;
}

function findSampler(workflow: ApiWorkflow): string {
  const ids = Object.keys(workflow).filter((id) => workflow[id]!.class_type in SAMPLER_SEED_INPUT);
  if (ids.length !== 1) throw templateError(`expected exactly one sampler node, found ${ids.length}`);
  return ids[0]!;
}

/** Follows a conditioning link back to the text encoder (through ControlNet, area nodes, ...). */
function findTextEncoder(workflow: ApiWorkflow, link: unknown, role: string): string {
  let current = link;
  for (let hop = 0; hop < MAX_CONDITIONING_HOPS; hop++) {
    if (!isLink(current)) break;
    const id = current[0];
    const node = workflow[id];
    if (!node) break;
    if (node.class_type === 'CLIPTextEncode' || node.class_type === 'CLIPTextEncodeSDXL') return id;
    current = node.inputs.conditioning ?? node.inputs[role];
  }
  throw templateError(`the sampler's ${role} input does not lead to a CLIPTextEncode node`);
}

function textTargets(workflow: ApiWorkflow, nodeId: string): RoleTarget[] {
  const multi = MULTI_TEXT_INPUTS[workflow[nodeId]!.class_type];
  return (multi ?? ['text']).map((input) => ({ nodeId, input }));
}

/** Writes one value into every input of a role, as data (never spliced into JSON text). */
export function setRoleValue(workflow: ApiWorkflow, targets: RoleTarget[] | undefined, value: unknown): void {
  for (const target of targets ?? []) {
    if (target.input !== undefined) workflow[target.nodeId]!.inputs[target.input] = value;
  }
}

function nextNodeId(workflow: ApiWorkflow): () => string {
  let next = Math.max(0, ...Object.keys(workflow).map((id) => Number.parseInt(id, 10)).filter(Number.isFinite)) + 1;
  return () => {
    while (workflow[String(next)]) next++;
    return String(next++);
  };
}

/** A LoRA name is a file name on the ComfyUI box, possibly in a subfolder; never a path outside it. */
function checkLora(lora: LoraSpec): void {
  const badName = lora.name.length === 0 || lora.name.length > 200 || lora.name.startsWith('/') || /(^|[\\/])\.\.([\\/]|$)|^[A-Za-z]:|[\0\n\r]/.test(lora.name);
  if (badName) throw new GenerationError('invalid_input', { field: 'lora.name' }, 'never');
  if (!Number.isFinite(lora.weight) || Math.abs(lora.weight) > 100) {
    throw new GenerationError('invalid_input', { field: 'lora.weight' }, 'never');
  }
}

/**
 * Chains one LoraLoader per LoRA after the checkpoint loader, then points every consumer of the
 * checkpoint's MODEL (slot 0) and CLIP (slot 1) at the end of the chain.
 */
function insertLoras(workflow: ApiWorkflow, loras: LoraSpec[]): string[] {
  if (loras.length === 0) return [];
  const loaders = Object.keys(workflow).filter((id) => CHECKPOINT_LOADERS.has(workflow[id]!.class_type));
  if (loaders.length !== 1) throw templateError(`LoRAs need exactly one checkpoint loader, found ${loaders.length}`);
  const checkpointId = loaders[0]!;
  const consumers = Object.values(workflow);
  const newId = nextNodeId(workflow);
  let model: Link = [checkpointId, 0];
  let clip: Link = [checkpointId, 1];
  const ids: string[] = [];
  for (const lora of loras) {
    checkLora(lora);
    const id = newId();
    workflow[id] = {
      class_type: 'LoraLoader',
      inputs: { lora_name: lora.name, strength_model: lora.weight, strength_clip: lora.weight, model, clip },
      _meta: { title: `LoRA ${lora.name}` },
    };
    model = [id, 0];
    clip = [id, 1];
    ids.push(id);
  }
  for (const node of consumers) {
    for (const [name, value] of Object.entries(node.inputs)) {
      if (!isLink(value) || value[0] !== checkpointId) continue;
      if (value[1] === 0) node.inputs[name] = [...model];
      else if (value[1] === 1) node.inputs[name] = [...clip];
    }
  }
  return ids;
}

/** KSampler discovery (the shipped SD templates): strict, as a template without tags must be complete. */
function discoverRoles(workflow: ApiWorkflow, input: GenerationInput): { samplerId: string; latentId: string; targets: RoleTargets } {
  const samplerId = findSampler(workflow);
  const sampler = workflow[samplerId]!;
  const positiveId = findTextEncoder(workflow, sampler.inputs.positive, 'positive');
  const negativeId = findTextEncoder(workflow, sampler.inputs.negative, 'negative');
  if (positiveId === negativeId) throw templateError('positive and negative prompts share one text encoder');
  const latentLink = sampler.inputs.latent_image;
  const latentId = isLink(latentLink) && workflow[latentLink[0]] ? latentLink[0] : undefined;
  const latent = latentId === undefined ? undefined : workflow[latentId];
  if (!latent || !('width' in latent.inputs) || !('height' in latent.inputs)) {
    throw templateError("the sampler's latent_image input is not an empty-latent node with width and height");
  }
  const targets: RoleTargets = {
    seed: [{ nodeId: samplerId, input: SAMPLER_SEED_INPUT[sampler.class_type]! }],
    steps: [{ nodeId: samplerId, input: 'steps' }],
    prompt: textTargets(workflow, positiveId),
    negative: textTargets(workflow, negativeId),
    width: [{ nodeId: latentId!, input: 'width' }],
    height: [{ nodeId: latentId!, input: 'height' }],
  };
  // For video templates batch_size is the frame count, which the template owns.
  if (input.kind === 'image' && 'batch_size' in latent.inputs) targets.count = [{ nodeId: latentId!, input: 'batch_size' }];
  const loaders = Object.keys(workflow).filter((id) => CHECKPOINT_LOADERS.has(workflow[id]!.class_type));
  if (loaders.length === 1) targets.model = [{ nodeId: loaders[0]!, input: 'ckpt_name' }];
  return { samplerId, latentId: latentId!, targets };
}

function taggedRoles(workflow: ApiWorkflow): RoleTargets {
  try {
    return findTaggedRoles(workflow);
  } catch (error) {
    if (error instanceof TemplateTagError) throw templateError(error.message);
    throw error;
  }
}

/** The one KSampler of a tagged graph, if it has exactly one: its progress is the job's. */
function optionalSampler(workflow: ApiWorkflow): string | undefined {
  const ids = Object.keys(workflow).filter((id) => workflow[id]!.class_type in SAMPLER_SEED_INPUT);
  return ids.length === 1 ? ids[0] : undefined;
}

/** The name a job's n-th reference picture has in the server's input folder: ours, and stable across retries. */
export function inputImageName(jobId: string, index: number, ext: string): string {
  return `anime-production_${jobId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64)}_${index}.${ext.replace(/[^a-z0-9]/g, '')}`;
}

/** `$denoise` from the job's strength: how much of the picture the sampler may repaint. */
export function denoiseFor(strength: number): number {
  return Math.round((1 - Math.min(1, Math.max(0, strength))) * 100) / 100;
}

/**
 * Reference pictures go to the `$image` nodes in node id order: picture n to node n, the last
 * picture to any nodes beyond (so a two-slot IP-Adapter template works with one picture); pictures
 * beyond the slots are not sent. A job with pictures needs a template that takes them.
 */
function setImages(workflow: ApiWorkflow, targets: RoleTargets, input: GenerationInput, tagged: boolean): void {
  const images = input.images ?? [];
  if (images.length === 0) return;
  const slots = targets.image ?? [];
  if (!tagged || slots.length === 0) throw templateError('the job has reference pictures but the template has no $image node');
  slots.forEach((slot, n) => {
    const index = Math.min(n, images.length - 1);
    setRoleValue(workflow, [slot], inputImageName(input.jobId, index, images[index]!.ext));
  });
  setRoleValue(workflow, targets.denoise, denoiseFor(input.strength ?? 1));
}

/** How many of the job's pictures the template's `$image` nodes take (the rest are not sent). */
export function imagesTaken(roles: WorkflowRoles, input: GenerationInput): number {
  return Math.min(input.images?.length ?? 0, roles.targets.image?.length ?? 0);
}

/**
 * Returns a new workflow with the job's values set; the template is left untouched. Roles come
 * from `$role` tags in node titles when any node has one (tags win), else from KSampler discovery.
 */
export function applyGenerationInput(template: ApiWorkflow, input: GenerationInput): { workflow: ApiWorkflow; roles: WorkflowRoles } {
  const workflow = structuredClone(template);
  const tags = taggedRoles(workflow);
  const tagged = Object.keys(tags).length > 0;
  let targets: RoleTargets;
  let samplerId: string | undefined;
  let latentId: string | undefined;
  if (tagged) {
    // An upscale enlarges a picture: its graph has no prompt to take.
    if (!tags.prompt && input.operation !== 'upscale') throw templateError('the workflow tags roles but no node is tagged $prompt');
    targets = tags;
    samplerId = optionalSampler(workflow);
    latentId = tags.width?.[0]?.nodeId;
  } else {
    ({ samplerId, latentId, targets } = discoverRoles(workflow, input));
  }

  setRoleValue(workflow, targets.prompt, input.prompt);
  setRoleValue(workflow, targets.negative, input.negativePrompt);
  setRoleValue(workflow, targets.seed, input.seed);
  setRoleValue(workflow, targets.steps, input.steps);
  setRoleValue(workflow, targets.width, input.width);
  setRoleValue(workflow, targets.height, input.height);
  setRoleValue(workflow, targets.count, input.count);
  // A clip's length is the template's unless the job names one.
  if (input.frames !== undefined) setRoleValue(workflow, targets.frames, input.frames);

  const saveIds = targets.output ? [...new Set(targets.output.map((t) => t.nodeId))] : Object.keys(workflow).filter((id) => SAVE_NODES.has(workflow[id]!.class_type));
  if (saveIds.length === 0) throw templateError(tagged ? 'the workflow has no $output node and no save node' : 'the workflow has no save node');
  if (!targets.output) targets.output = saveIds.map((nodeId) => ({ nodeId, input: 'filename_prefix' }));
  const prefix = `anime-production_${input.jobId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64)}`;
  for (const target of targets.output) {
    if (target.input !== undefined && target.input in workflow[target.nodeId]!.inputs) workflow[target.nodeId]!.inputs[target.input] = prefix;
  }

  setImages(workflow, targets, input, tagged);

  const loraIds = insertLoras(workflow, input.loras ?? []);
  const positiveId = targets.prompt?.[0]?.nodeId;
  const negativeId = targets.negative?.[0]?.nodeId;
  return { workflow, roles: { samplerId, positiveId, negativeId, latentId, saveIds, loraIds, targets, tagged } };
}
