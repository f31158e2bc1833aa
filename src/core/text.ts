import { z } from 'zod';

/**
 * The one rule for text that enters the core from any adapter (HTTP, Discord, Slack): every schema
 * builds its strings from here, and hand-checked values (search, path names) call textProblem.
 * Postgres refuses NUL in text and jsonb, and a lone UTF-16 surrogate cannot be encoded as UTF-8
 * (jsonb refuses its \u escape; text columns would silently get U+FFFD); both are refused up front.
 */

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0/C1 control characters except tab and newline, plus bidi overrides that can disguise text. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/** Why this text cannot be stored, in words that follow the field name; undefined when it can. */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text (it has a broken character)';
  return undefined;
}

/** Does this value (any JSON-ish shape) hold a string Postgres would refuse? Returns the path to it. */
export function findBadText(value: unknown, path: string[] = [], depth = 0): { path: string[]; problem: string } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, problem } : undefined;
  }
  if (depth > 8 || typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem) return { path, problem: keyProblem };
    const found = findBadText(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Any string the database will store: no NUL, no lone surrogate. The check runs first, so it is the issue reported. */
export function storableText(field: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be text`) }).check((ctx) => {
    const problem = textProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: `${field} ${problem}`, input: ctx.value, abort: true });
  });
}

export interface TextRules {
  max: number;
  /** Trim surrounding whitespace before the length check (names, descriptions). */
  trim?: boolean;
  /** Refuse newlines and tabs too (one-line names). */
  singleLine?: boolean;
}

/** Text shown to people (prompts, names, descriptions): storable, bounded, and free of control characters. */
export function displayText(field: string, rules: TextRules) {
  const base = storableText(field);
  const trimmed = rules.trim ? base.trim() : base;
  return trimmed
    .max(rules.max, { error: `${field} must be at most ${rules.max} characters` })
    .refine((s) => !CONTROL_CHARS.test(s) && !(rules.singleLine && /[\n\t]/.test(s)), { error: `${field} must not contain control characters` });
}
