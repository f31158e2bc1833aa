import { z } from 'zod';
import { fail, ok, type Outcome } from './outcome.js';
import { textProblem } from './text.js';

/**
 * The one place a zod issue becomes words for a user. Schemas give their own message where a
 * rule needs one (ranges, forms); every other issue gets these words, which name the field and
 * say what it must be, never zod's own text and never the value sent.
 */

type RawIssue = z.core.$ZodRawIssue;

const NOUNS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

function fieldOf(path: readonly PropertyKey[] | undefined): string {
  return (path ?? []).map(String).join('.') || 'body';
}

function bound(issue: { origin?: string; inclusive?: boolean }, value: number | bigint, side: 'least' | 'most'): string {
  const exclusive = issue.inclusive === false;
  const than = side === 'least' ? (exclusive ? 'more than' : 'at least') : exclusive ? 'less than' : 'at most';
  if (issue.origin === 'string') return `must be ${than} ${value} characters`;
  if (issue.origin === 'array' || issue.origin === 'set') return `must have ${than} ${value} items`;
  return `must be ${than} ${value}`;
}

function words(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${NOUNS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return bound(issue, issue.minimum, 'least');
    case 'too_big':
      return bound(issue, issue.maximum, 'most');
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'uuid' ? 'must be an id' : 'is not in the expected form';
    case 'unrecognized_keys':
      return 'has a field that is not known';
    default:
      return 'is not valid';
  }
}

/** zod's per-parse error map: used only where a schema gave no message of its own. */
export const inputErrorMap: z.core.$ZodErrorMap = (issue) => `${fieldOf(issue.path)} ${words(issue)}`;

/**
 * Parses input with the map above; the first issue becomes an invalid_input naming its field.
 * An unknown key is named (shortened), unless the key itself is not storable text.
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, wholeField = 'body'): Outcome<T> {
  const parsed = schema.safeParse(input, { error: inputErrorMap });
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0]!;
  const parent = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? 'field';
    const where = parent.join('.') || wholeField;
    if (textProblem(key)) return fail('invalid_input', `${where}: a field name is not valid text`, { field: where });
    const field = [...parent, key.slice(0, 40)].join('.');
    return fail('invalid_input', `${field}: unknown field`, { field });
  }
  const field = parent.join('.') || wholeField;
  // Every message names its field, so a user knows what to fix without reading the JSON.
  return fail('invalid_input', issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`, { field });
}

/** An integer field with both bounds, said in one sentence whatever the mistake (text, fraction, range). */
export function wholeNumber(field: string, min: number, max: number) {
  const message = `${field} must be a whole number from ${min} to ${max}`;
  return z.number({ error: (issue) => (issue.input === undefined ? `${field} is required` : message) }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}
