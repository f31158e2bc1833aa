import { z } from 'zod';
import { MAX_SEED } from '../generate-request.js';
import { ruleMessage } from '../field-rules.js';
import { wholeNumber } from '../input-errors.js';
import { displayText, storableText } from '../text.js';

// A name is typed in chat commands and shown on pages: letters, digits, spaces and a little punctuation.
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} _'.-]{0,47}$/u;

export function isCharacterName(value: string): boolean {
  return NAME.test(value);
}

const text = (max: number) => displayText({ max, trim: true });
const notEmpty = ruleMessage({ rule: 'not_empty' });
const weightRange = ruleMessage({ rule: 'range', min: -10, max: 10 });

const lora = z.strictObject({
  // A file name on the ComfyUI box, possibly in a subfolder; never a path outside it.
  name: storableText()
    .min(1)
    .max(200)
    .refine((s) => !s.startsWith('/') && !/(^|[\\/])\.\.([\\/]|$)|^[A-Za-z]:|[\0\n\r]/.test(s), { error: ruleMessage({ rule: 'lora_file' }) }),
  weight: z.number().min(-10, { error: weightRange }).max(10, { error: weightRange }).default(1),
});

const fields = {
  description: text(500),
  promptFragment: text(500),
  negativeFragment: text(500),
  referenceSeed: wholeNumber(0, MAX_SEED).nullable(),
  lora: lora.nullable(),
  referenceAssetId: z.uuid().nullable(),
};

const name = storableText().trim().regex(NAME, { error: ruleMessage({ rule: 'character_name' }) });
/** A project slug, or null / absent for a space-wide character. */
const project = storableText().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: ruleMessage({ rule: 'project_slug' }) }).nullable();

export const newCharacterSchema = z.strictObject({
  name,
  project: project.optional(),
  description: fields.description.default(''),
  promptFragment: fields.promptFragment.refine((s) => s.length > 0, { error: notEmpty }),
  negativeFragment: fields.negativeFragment.default(''),
  referenceSeed: fields.referenceSeed.default(null),
  lora: fields.lora.default(null),
  referenceAssetId: fields.referenceAssetId.default(null),
});

export const characterPatchSchema = z.strictObject({
  name: name.optional(),
  description: fields.description.optional(),
  promptFragment: fields.promptFragment.refine((s) => s.length > 0, { error: notEmpty }).optional(),
  negativeFragment: fields.negativeFragment.optional(),
  referenceSeed: fields.referenceSeed.optional(),
  lora: fields.lora.optional(),
  referenceAssetId: fields.referenceAssetId.optional(),
});

export type NewCharacterInput = z.input<typeof newCharacterSchema>;
export type CharacterPatchInput = z.input<typeof characterPatchSchema>;
