import { z } from 'zod';
import { ruleMessage } from './field-rules.js';

/**
 * The one rule for text that enters the core from any adapter (HTTP, Discord, Slack): every schema
 * builds its strings from here, and hand-checked values (search, path names) call textRule.
 * Postgres refuses NUL in text and jsonb, and a lone UTF-16 surrogate cannot be encoded as UTF-8
 * (jsonb refuses its \u escape; text columns would silently get U+FFFD); both are refused up front.
 */

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0/C1 control characters except tab and newline, plus bidi overrides that can disguise text. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/** The rule this text breaks if the database cannot store it; undefined when it can. */
export function textRule(value: string): 'no_nul' | 'broken_unicode' | undefined {
  if (value.includes('\u0000')) return 'no_nul';
  if (LONE_SURROGATE.test(value)) return 'broken_unicode';
  return undefined;
}

/** Any string the database will store: no NUL, no lone surrogate. The check runs first, so it is the issue reported. */
export function storableText() {
  return z.string().check((ctx) => {
    const rule = textRule(ctx.value);
    if (rule) ctx.issues.push({ code: 'custom', message: ruleMessage({ rule }), input: ctx.value, abort: true });
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
export function displayText(rules: TextRules) {
  const base = storableText();
  const trimmed = rules.trim ? base.trim() : base;
  return trimmed.max(rules.max).refine((s) => !CONTROL_CHARS.test(s) && !(rules.singleLine && /[\n\t]/.test(s)), { error: ruleMessage({ rule: 'no_control_chars' }) });
}
