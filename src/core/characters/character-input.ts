import { z } from 'zod';
import { MAX_SEED } from '../generate-request.js';
import { wholeNumber } from '../input-errors.js';
import { displayText, storableText } from '../text.js';

// A name is typed in chat commands and shown on pages: letters, digits, spaces and a little punctuation.
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} _'.-]{0,47}$/u;

export function isCharacterName(value: string): boolean {
  return NAME.test(value);
}

const text = (field: string, max: number) => displayText(field, { max, trim: true });

const lora = z.strictObject({
  // A file name on the ComfyUI box, possibly in a subfolder; never a path outside it.
  name: storableText('lora.name').min(1, { error: 'lora.name must not be empty' }).max(200, { error: 'lora.name must be at most 200 characters' }).refine((s) => !s.startsWith('/') && !/(^|[\\/])\.\.([\\/]|$)|^[A-Za-z]:|[\0\n\r]/.test(s), { error: 'lora.name is not a valid LoRA file name' }),
  weight: z.number({ error: 'lora.weight must be a number' }).min(-10, { error: 'lora.weight must be between -10 and 10' }).max(10, { error: 'lora.weight must be between -10 and 10' }).default(1),
});

const fields = {
  description: text('description', 500),
  promptFragment: text('promptFragment', 500),
  negativeFragment: text('negativeFragment', 500),
  referenceSeed: wholeNumber('referenceSeed', 0, MAX_SEED).nullable(),
  lora: lora.nullable(),
  referenceAssetId: z.uuid({ error: 'referenceAssetId must be an asset id' }).nullable(),
};

const name = storableText('name').trim().regex(NAME, { error: 'name must be 1-48 letters, digits, spaces, dots, dashes or apostrophes' });
/** A project slug, or null / absent for a space-wide character. */
const project = storableText('project').regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'project must be a project slug' }).nullable();

export const newCharacterSchema = z.strictObject({
  name,
  project: project.optional(),
  description: fields.description.default(''),
  promptFragment: fields.promptFragment.refine((s) => s.length > 0, { error: 'promptFragment must not be empty' }),
  negativeFragment: fields.negativeFragment.default(''),
  referenceSeed: fields.referenceSeed.default(null),
  lora: fields.lora.default(null),
  referenceAssetId: fields.referenceAssetId.default(null),
});

export const characterPatchSchema = z.strictObject({
  name: name.optional(),
  description: fields.description.optional(),
  promptFragment: fields.promptFragment.refine((s) => s.length > 0, { error: 'promptFragment must not be empty' }).optional(),
  negativeFragment: fields.negativeFragment.optional(),
  referenceSeed: fields.referenceSeed.optional(),
  lora: fields.lora.optional(),
  referenceAssetId: fields.referenceAssetId.optional(),
});

export type NewCharacterInput = z.input<typeof newCharacterSchema>;
export type CharacterPatchInput = z.input<typeof characterPatchSchema>;
