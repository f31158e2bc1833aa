import { MAX_SIDE } from '../generate-request.js';
import { fail, ok, type Outcome } from '../outcome.js';
import { groupOutputs } from '../outputs.js';
import type { AssetRecord, JobRecord } from '../records.js';

/**
 * Variations and Upscale: a new job made from one output of a finished one. Pure: which picture it
 * starts from and what it asks for; GenerateService records and queues it like any request.
 */

/**
 * How much a variation keeps of the picture it starts from (the reference strength; ComfyUI's
 * `$denoise` is 1 minus it): enough to stay the same picture, loose enough to differ (decisions.md).
 */
export const VARIATION_STRENGTH = 0.55;
/** An upscale doubles each side. */
export const UPSCALE_FACTOR = 2;

export type OutputRelation = 'variation' | 'upscale';

/** The parent's stored original of output `output`, checked usable as a start. */
export function startingPicture(job: JobRecord, assets: readonly AssetRecord[], output: number, relation: OutputRelation): Outcome<AssetRecord> {
  if (job.kind === 'video') return fail({ reason: 'family_image_only', relation });
  const outputs = groupOutputs(assets);
  if (outputs.length === 0) return fail({ reason: 'outputs_missing', finished: job.status === 'completed' });
  const found = outputs.find((o) => o.index === output);
  if (!found) return fail({ reason: 'output_unknown', field: 'output', outputs: outputs.length });
  if (found.original.kind !== 'image') return fail({ reason: 'family_image_only', relation });
  return ok(found.original);
}

/**
 * The request a child job makes: the parent's own (its project, characters, model), without its
 * seed (a new one is drawn) or its reference picture (the output takes that place).
 * A variation keeps size and count and sets the variation strength; an upscale asks for one
 * picture of twice the output's size, and leaves the characters out: it repaints nothing, so
 * their fragments and pictures have no part in it (and a character deleted since cannot stop it).
 */
export function childRequest(parent: JobRecord, picture: AssetRecord, relation: OutputRelation): Outcome<Record<string, unknown>> {
  const { seed: _seed, referenceImage: _reference, strength: _strength, ...request } = (parent.request ?? {}) as Record<string, unknown>;
  const base: Record<string, unknown> = { ...request, project: parent.projectSlug };
  if (relation === 'variation') return ok({ ...base, strength: VARIATION_STRENGTH });
  const width = picture.width * UPSCALE_FACTOR;
  const height = picture.height * UPSCALE_FACTOR;
  if (width > MAX_SIDE || height > MAX_SIDE) {
    return fail({ reason: 'upscale_too_large', field: 'output', width: picture.width, height: picture.height, max: MAX_SIDE });
  }
  const { characters: _characters, ...rest } = base;
  // The parent's seed: an upscale draws nothing new, and its recipe says which picture it came from.
  return ok({ ...rest, width, height, count: 1, strength: 1, seed: parent.seed });
}
