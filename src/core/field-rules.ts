import type { PatternProblem } from './content/safe-pattern.js';

/**
 * The rules a request field can break, each with the facts its words need. A field_invalid
 * failure carries one of these plus the field's name; every adapter words it (the sentences are
 * in src/infra/failure-sentences.ts), so the core holds no prose. The first group comes straight
 * from zod's issues (parseInput derives them); the rest are the service's own rules, which a zod
 * schema names with `ruleMessage` and hand-written checks return as they are.
 *
 * Adding a rule: add it here with its details (`{}` when it needs none); the compiler then asks
 * for its words in src/infra/failure-sentences.ts and a sample in test/unit/failure-words.test.ts.
 */
export interface FieldRuleDetails {
  /** The field is missing. */
  required: Record<never, never>;
  /** zod's invalid_type: what it must be (number, int, string, boolean, array, object, ...). */
  type: { expected: string };
  /** zod's too_small; origin is what is counted (string: characters, array: items, number: the value). */
  min: { minimum: number; origin?: string; inclusive?: boolean };
  /** zod's too_big; `items` names what a list holds (default "items"). */
  max: { maximum: number; origin?: string; inclusive?: boolean; items?: string };
  multiple_of: { divisor: number };
  /** zod's invalid_value: the values allowed. */
  one_of: { values: string[] };
  /** zod's invalid_format (uuid, regex, ...). */
  format: { format: string };
  /** An integer within both bounds, said the same way whatever the mistake (text, fraction, range). */
  whole_range: { min: number; max: number };
  /** A number within both bounds. */
  range: { min: number; max: number };
  not_empty: Record<never, never>;
  /** Text Postgres cannot store (src/core/text.ts). */
  no_nul: Record<never, never>;
  broken_unicode: Record<never, never>;
  no_control_chars: Record<never, never>;
  /** A new project's slug: 1-64 lowercase letters, digits and dashes. */
  slug: Record<never, never>;
  /** A reference to an existing project by its slug. */
  project_slug: Record<never, never>;
  character_name: Record<never, never>;
  character_list: Record<never, never>;
  lora_file: Record<never, never>;
  /** A blocked word with no letter or digit would block nothing useful. */
  needs_letter_or_digit: Record<never, never>;
  /** A blocked pattern the safe-pattern check refused, and why. */
  safe_pattern: { problem: PatternProblem };
  /** A usage report's day: YYYY-MM-DD, a real UTC day. */
  utc_day: Record<never, never>;
  /** A search date, with an example of the form. */
  date: { example: string };
  /** A page cursor the server did not hand out. */
  cursor: Record<never, never>;
  /** A search text needs something to search for. */
  search_words: Record<never, never>;
  platform_role: Record<never, never>;
  /** A platform user id (search filter, project members). */
  user_id: Record<never, never>;
  /** A name an API token is issued to. */
  token_subject: Record<never, never>;
  channel_id: Record<never, never>;
  model_id: Record<never, never>;
  /** A result count: a whole number of 1 or more, of which at most `served` are returned. */
  page_size: { served: number };
  /** Anything else zod reported (a custom check without a rule). */
  invalid: Record<never, never>;
}

export type FieldRule = keyof FieldRuleDetails;

/** One broken rule with its facts. */
export type FieldRuleProblem = { [R in FieldRule]: { rule: R } & FieldRuleDetails[R] }[FieldRule];

const RULES: { readonly [R in FieldRule]: true } = {
  required: true, type: true, min: true, max: true, multiple_of: true, one_of: true, format: true, whole_range: true, range: true,
  not_empty: true, no_nul: true, broken_unicode: true, no_control_chars: true, slug: true, project_slug: true, character_name: true,
  character_list: true, lora_file: true, needs_letter_or_digit: true, safe_pattern: true, utc_day: true, date: true, cursor: true,
  search_words: true, platform_role: true, user_id: true, token_subject: true, channel_id: true, model_id: true, page_size: true, invalid: true,
};

export const FIELD_RULES = Object.keys(RULES) as FieldRule[];

function isFieldRule(value: unknown): value is FieldRule {
  return typeof value === 'string' && Object.hasOwn(RULES, value);
}

/**
 * zod carries only a string as an issue's message, so a schema's own rule travels in it as this
 * marked JSON; parseInput reads it back (readRuleMessage) and nothing else ever sees it.
 */
const MARK = 'rule:';

export function ruleMessage(problem: FieldRuleProblem): string {
  return MARK + JSON.stringify(problem);
}

export function readRuleMessage(message: string): FieldRuleProblem | undefined {
  if (!message.startsWith(MARK)) return undefined;
  try {
    const parsed = JSON.parse(message.slice(MARK.length)) as { rule?: unknown };
    return isFieldRule(parsed.rule) ? (parsed as FieldRuleProblem) : undefined;
  } catch {
    return undefined;
  }
}
