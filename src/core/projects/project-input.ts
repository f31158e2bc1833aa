import { z } from 'zod';
import { ruleMessage } from '../field-rules.js';
import { parseInput } from '../input-errors.js';
import type { Outcome } from '../outcome.js';
import { displayText, storableText } from '../text.js';
import { VISIBILITIES } from './types.js';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

// Names and texts are shown in chat and on pages.
const name = displayText({ max: 80, trim: true, singleLine: true }).refine((s) => s.length > 0, { error: ruleMessage({ rule: 'not_empty' }) });
const description = displayText({ max: 1000, trim: true });
const slug = storableText().regex(SLUG, { error: ruleMessage({ rule: 'slug' }) });
const visibility = z.enum(VISIBILITIES);

export const newProjectSchema = z.strictObject({ name, slug: slug.optional(), description: description.optional(), visibility: visibility.optional() });
export const projectPatchSchema = z.strictObject({ name: name.optional(), description: description.optional(), visibility: visibility.optional() });

export type NewProjectInput = z.input<typeof newProjectSchema>;
export type ProjectPatchInput = z.input<typeof projectPatchSchema>;

export function isSlug(value: string): boolean {
  return SLUG.test(value);
}

/** "Summer Festival 2025!" -> "summer-festival-2025". Empty when nothing usable is left. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** zod's first issue as a field_invalid naming its field (see input-errors.ts). */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Outcome<T> {
  return parseInput(schema, input);
}
