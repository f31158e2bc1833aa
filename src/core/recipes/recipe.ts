import { createHash } from 'node:crypto';
import type { LoraSpec } from '../generator.js';
import type { JobRecord } from '../records.js';

/**
 * A picture given to the backend with the prompt (a reference image and its strength). Named by
 * the bytes' sha256, so two uploads of the same file are the same input.
 */
export interface RecipeInput {
  role: string;
  sha256: string;
  strength: number | null;
}

/**
 * Everything that decides what a render makes: two jobs with equal recipes make the same files.
 * The prompt and negative are the resolved ones (characters merged, space negative appended).
 */
export interface Recipe {
  kind: 'image' | 'video';
  prompt: string;
  negativePrompt: string;
  seed: number;
  width: number;
  height: number;
  steps: number;
  count: number;
  /** The offered model's id ('' on jobs older than models). */
  model: string;
  loras: LoraSpec[];
  /** What the backend builds from: a template's content hash, or the built-in renderer's version. */
  templateVersion: string;
  inputs: RecipeInput[];
}

/** Bumped when the key's composition changes, so an old key can never equal a new one. */
const KEY_FORMAT = 'recipe-v1';

/** JSON with object keys sorted at every depth: one text per value, whatever order it was built in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The reuse key: sha256 of the canonical recipe. */
export function recipeKey(recipe: Recipe): string {
  return createHash('sha256').update(KEY_FORMAT).update('\n').update(canonicalJson(recipe)).digest('hex');
}

/**
 * The recipe inputs of a job's pictures, in the order the backend receives them: a character's
 * reference or the requester's own, by its bytes, all at the job's one strength.
 */
export function recipeInputsOf(pictures: ReadonlyArray<{ characterId: string | null; sha256: string }>, strength: number | null, startRole: 'reference' | 'upscale' = 'reference'): RecipeInput[] {
  return pictures.map(({ characterId, sha256 }) => ({ role: characterId ? 'character' : startRole, sha256, strength }));
}

/** The role of a job's own (non-character) picture: an upscale's picture is the one it enlarges. */
export const startRoleOf = (job: { parent?: { relation: string } | null }): 'reference' | 'upscale' => (job.parent?.relation === 'upscale' ? 'upscale' : 'reference');

type RecipeFields = Pick<JobRecord, 'kind' | 'promptSent' | 'negativeSent' | 'seed' | 'width' | 'height' | 'steps' | 'count' | 'model' | 'loras' | 'templateVersion'>;

/** A job's recipe, from what its record says was (or will be) sent. */
export function recipeOfJob(job: RecipeFields, inputs: RecipeInput[] = []): Recipe {
  return {
    kind: job.kind,
    prompt: job.promptSent,
    negativePrompt: job.negativeSent,
    seed: job.seed,
    width: job.width,
    height: job.height,
    steps: job.steps,
    count: job.count,
    model: job.model ?? '',
    loras: job.loras ?? [],
    templateVersion: job.templateVersion ?? '',
    inputs,
  };
}

/** What the backend will build a request from, as a version (the app reads the template files). */
export interface TemplateVersions {
  /** `operation` 'upscale': the upscale template's version (Upscale runs no model's template). */
  versionFor(request: { kind: 'image' | 'video'; model: string; operation?: 'upscale' }): Promise<string>;
}
