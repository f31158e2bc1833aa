import { z } from 'zod';
import { ruleMessage } from './field-rules.js';
import { wholeNumber } from './input-errors.js';
import { displayText } from './text.js';

const MIN_SIDE = 64;
/** The longest side a job may ask for (an upscale's 2x included). */
export const MAX_SIDE = 2048;
const MAX_STEPS = 100;
export const MAX_COUNT = 4;
export const MAX_SEED = 2 ** 32 - 1;

export const ASPECTS = {
  square: { width: 512, height: 512 },
  portrait: { width: 512, height: 768 },
  landscape: { width: 768, height: 512 },
} as const;
export type Aspect = keyof typeof ASPECTS;

function text(max: number) {
  return displayText({ max });
}

function side() {
  return z.number().int().min(MIN_SIDE).max(MAX_SIDE).multipleOf(8);
}

const projectSlug = ruleMessage({ rule: 'project_slug' });
/** A strength is said one way whatever the mistake: a number from 0 to 1. */
const strengthRule = ruleMessage({ rule: 'range', min: 0, max: 1 });
const slug = z.string().min(1, { error: projectSlug }).max(64, { error: projectSlug }).regex(/^[a-z0-9][a-z0-9-]*$/, { error: projectSlug });

export interface RequestLimits {
  maxPromptLength: number;
}

/**
 * A platform-neutral generate request. Every adapter parses into this shape; unknown fields are
 * refused so a typo never silently falls back to a default.
 */
export function generateRequestSchema(limits: RequestLimits) {
  return z.strictObject({
    prompt: text(limits.maxPromptLength).refine((s) => s.trim().length > 0, { error: ruleMessage({ rule: 'not_empty' }) }),
    negativePrompt: text(limits.maxPromptLength).optional(),
    project: slug.optional(),
    characters: z
      .array(displayText({ max: 64, singleLine: true }).min(1), { error: ruleMessage({ rule: 'character_list' }) })
      .max(4, { error: ruleMessage({ rule: 'max', maximum: 4, origin: 'array', items: 'names' }) })
      .optional(),
    width: side().default(512),
    height: side().default(512),
    seed: wholeNumber(0, MAX_SEED).optional(),
    steps: z.number().int().min(1).max(MAX_STEPS).default(20),
    count: wholeNumber(1, MAX_COUNT).default(1),
    kind: z.enum(['image', 'video']).default('image'),
    /** An offered model's id or display name; absent: the default. Checked against the catalog on submit. */
    model: displayText({ max: 80, singleLine: true, trim: true }).optional(),
    /** An upload of the requester's space (POST /api/uploads, a chat attachment): the picture to start from. */
    referenceImage: z.uuid().optional(),
    /** How much the reference pictures shape the result: 0 barely, 1 almost a copy. */
    strength: z
      .number({ error: strengthRule })
      .min(0, { error: strengthRule })
      .max(1, { error: strengthRule })
      .optional(),
  });
}

/** The strength used when the request has reference pictures but names none. */
export const DEFAULT_REFERENCE_STRENGTH = 0.6;
/** Reference pictures one job may send (the requester's one, then its characters'). */
export const MAX_JOB_INPUTS = 8;

export type GenerateRequest = z.output<ReturnType<typeof generateRequestSchema>>;
export type GenerateRequestInput = z.input<ReturnType<typeof generateRequestSchema>>;
