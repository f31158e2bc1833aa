import { z } from 'zod';
import { wholeNumber } from './input-errors.js';
import { displayText } from './text.js';

const MIN_SIDE = 64;
const MAX_SIDE = 2048;
const MAX_STEPS = 100;
export const MAX_COUNT = 4;
export const MAX_SEED = 2 ** 32 - 1;

export const ASPECTS = {
  square: { width: 512, height: 512 },
  portrait: { width: 512, height: 768 },
  landscape: { width: 768, height: 512 },
} as const;
export type Aspect = keyof typeof ASPECTS;

function text(field: string, max: number) {
  return displayText(field, { max });
}

function side(field: string) {
  return z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be a whole number` })
    .min(MIN_SIDE, { error: `${field} must be at least ${MIN_SIDE}` })
    .max(MAX_SIDE, { error: `${field} must be at most ${MAX_SIDE}` })
    .refine((n) => n % 8 === 0, { error: `${field} must be a multiple of 8` });
}

const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'project must be lowercase letters, digits and dashes' });

export interface RequestLimits {
  maxPromptLength: number;
}

/**
 * A platform-neutral generate request. Every adapter parses into this shape; unknown fields are
 * refused so a typo never silently falls back to a default.
 */
export function generateRequestSchema(limits: RequestLimits) {
  return z.strictObject({
    prompt: text('prompt', limits.maxPromptLength).refine((s) => s.trim().length > 0, {
      error: 'prompt must not be empty',
    }),
    negativePrompt: text('negativePrompt', limits.maxPromptLength).optional(),
    project: slug.optional(),
    characters: z
      .array(displayText('characters', { max: 64, singleLine: true }).min(1, { error: 'characters must not hold an empty name' }), { error: 'characters must be a list of character names' })
      .max(4, { error: 'characters may name at most 4 characters' })
      .optional(),
    width: side('width').default(512),
    height: side('height').default(512),
    seed: wholeNumber('seed', 0, MAX_SEED).optional(),
    steps: z
      .number({ error: 'steps must be a number' })
      .int({ error: 'steps must be a whole number' })
      .min(1, { error: 'steps must be at least 1' })
      .max(MAX_STEPS, { error: `steps must be at most ${MAX_STEPS}` })
      .default(20),
    count: wholeNumber('count', 1, MAX_COUNT).default(1),
    kind: z.enum(['image', 'video'], { error: 'kind must be image or video' }).default('image'),
    /** An offered model's id or display name; absent: the default. Checked against the catalog on submit. */
    model: displayText('model', { max: 80, singleLine: true, trim: true }).optional(),
    /** An upload of the requester's space (POST /api/uploads, a chat attachment): the picture to start from. */
    referenceImage: z.uuid({ error: 'referenceImage must be an uploaded image id' }).optional(),
    /** How much the reference pictures shape the result: 0 barely, 1 almost a copy. */
    strength: z
      .number({ error: 'strength must be a number from 0 to 1' })
      .min(0, { error: 'strength must be a number from 0 to 1' })
      .max(1, { error: 'strength must be a number from 0 to 1' })
      .optional(),
  });
}

/** The strength used when the request has reference pictures but names none. */
export const DEFAULT_REFERENCE_STRENGTH = 0.6;
/** Reference pictures one job may send (the requester's one, then its characters'). */
export const MAX_JOB_INPUTS = 8;

export type GenerateRequest = z.output<ReturnType<typeof generateRequestSchema>>;
export type GenerateRequestInput = z.input<ReturnType<typeof generateRequestSchema>>;
