import { z } from 'zod';
import { readRuleMessage, ruleMessage, type FieldRuleProblem } from './field-rules.js';
import { fail, ok, type Outcome } from './outcome.js';
import { textRule } from './text.js';

/**
 * The one place a zod issue becomes a failure: its first issue turns into field_invalid with the
 * field's path and the rule broken (src/core/field-rules.ts), and each adapter words it. A schema
 * names a rule of its own with `ruleMessage` (zod carries only a string); every other issue's
 * rule comes from the issue itself (its code, bounds, allowed values). zod's own text and the
 * value sent never reach a user.
 */

type Issue = z.core.$ZodIssue;

/** The rule an issue broke, from its own facts. */
function ruleOf(issue: Issue): FieldRuleProblem {
  const own = readRuleMessage(issue.message);
  if (own) return own;
  switch (issue.code) {
    case 'invalid_type':
      // The parse reports inputs (reportInput), so a missing field is one whose input is undefined.
      return issue.input === undefined ? { rule: 'required' } : { rule: 'type', expected: issue.expected };
    case 'too_small':
      return { rule: 'min', minimum: Number(issue.minimum), origin: issue.origin, ...(issue.inclusive === false ? { inclusive: false } : {}) };
    case 'too_big':
      return { rule: 'max', maximum: Number(issue.maximum), origin: issue.origin, ...(issue.inclusive === false ? { inclusive: false } : {}) };
    case 'not_multiple_of':
      return { rule: 'multiple_of', divisor: Number(issue.divisor) };
    case 'invalid_value':
      return { rule: 'one_of', values: issue.values.map((v) => String(v)) };
    case 'invalid_format':
      return { rule: 'format', format: issue.format };
    default:
      return { rule: 'invalid' };
  }
}

/**
 * Parses input; the first issue becomes a failure naming its field (`wholeField` when the issue
 * is about the whole input). An unknown key is named (shortened), unless the key itself is not
 * storable text.
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, wholeField = 'body'): Outcome<T> {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0]!;
  const parent = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? 'field';
    const where = parent.join('.') || wholeField;
    if (textRule(key)) return fail({ reason: 'field_name_not_text', field: where });
    return fail({ reason: 'unknown_field', field: [...parent, key.slice(0, 40)].join('.') });
  }
  return fail({ reason: 'field_invalid', field: parent.join('.') || wholeField, ...ruleOf(issue) });
}

/** An integer field with both bounds, said in one sentence whatever the mistake (text, fraction, range). */
export function wholeNumber(min: number, max: number) {
  const rule = ruleMessage({ rule: 'whole_range', min, max });
  return z.number({ error: (issue) => (issue.input === undefined ? ruleMessage({ rule: 'required' }) : rule) }).int({ error: rule }).min(min, { error: rule }).max(max, { error: rule });
}
