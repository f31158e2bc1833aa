import { z } from 'zod';
import { fail, ok, type Outcome } from '../outcome.js';
import { VISIBILITIES } from './types.js';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** C0/C1 controls (tab and newline allowed) and bidi overrides: names and texts are shown in chat and on pages. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
const NO_NEWLINE = /[\n\t]/;

const name = z.string().trim().min(1, { error: 'name must not be empty' }).max(80, { error: 'name must be at most 80 characters' })
  .refine((s) => !CONTROL_CHARS.test(s) && !NO_NEWLINE.test(s), { error: 'name must not contain control characters' });
const description = z.string().trim().max(1000, { error: 'description must be at most 1000 characters' })
  .refine((s) => !CONTROL_CHARS.test(s), { error: 'description must not contain control characters' });
const slug = z.string().regex(SLUG, { error: 'slug must be 1-64 lowercase letters, digits and dashes' });
const visibility = z.enum(VISIBILITIES, { error: 'visibility must be space, private or public' });

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

/** zod's first issue as an invalid_input naming its field. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Outcome<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = (issue.keys[0] ?? 'field').slice(0, 40);
    return fail('invalid_input', `${key}: unknown field`, { field: key });
  }
  const field = issue.path.map(String).join('.') || 'body';
  const message = issue.code === 'invalid_type' && issue.input === undefined ? `${field} is required` : issue.message;
  return fail('invalid_input', message.startsWith(field) ? message : `${field}: ${message}`, { field });
}
