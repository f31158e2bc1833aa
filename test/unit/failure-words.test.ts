import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { describeFailure, FAILURE_REASON_WORDS as DISCORD } from '../../src/bots/discord/words.js';
import { failureText, FAILURE_REASON_WORDS as SLACK } from '../../src/bots/slack/words.js';
import { describeProblem, FAILURE_REASONS, REASON_CODES, type FailureProblem, type FailureReason, type FailureReasonDetails, type FailureReasonWords } from '../../src/core/failure-reasons.js';
import { FIELD_RULES, ruleMessage, type FieldRule, type FieldRuleDetails } from '../../src/core/field-rules.js';
import { generateRequestSchema } from '../../src/core/generate-request.js';
import { parseInput } from '../../src/core/input-errors.js';
import { fail, type Failure } from '../../src/core/outcome.js';
import { FAILURE_REASON_WORDS as WEB, FAILURE_WORDS as WEB_FAILURE_WORDS, inWebTerms } from '../../src/web/http-errors.js';

/** A sample of every reason's details; typed by the reason, so a new reason without one does not compile. */
const REASON_SAMPLES: { [R in FailureReason]: FailureReasonDetails[R] } = {
  field_invalid: { field: 'seed', rule: 'whole_range', min: 0, max: 10 },
  unknown_field: { field: 'sampler', known: ['prompt', 'seed'] },
  field_name_not_text: { field: 'settings' },
  slug_needed: { field: 'slug' },
  members_missing: {},
  members_too_many: { max: 100 },
  reference_image_unknown: { field: 'referenceAssetId' },
  characters_unavailable: { field: 'characters' },
  character_unknown: { field: 'characters', name: 'Aiko' },
  usage_scope_ambiguous: {},
  range_reversed: { from: 'from', to: 'to', inclusive: true },
  range_too_long: { maxDays: 92, days: 200 },
  no_model_offered: { field: 'model' },
  model_unknown: { field: 'model', name: 'nope', choices: [{ id: 'sd15', label: 'SD 1.5' }] },
  model_missing: { field: 'model', model: 'pony', isDefault: true, choices: [] },
  body_not_object: {},
  image_refused: { field: 'file', why: 'too_many_pixels', width: 9000, height: 9000, maxPixels: 16_777_216 },
  references_unavailable: { field: 'referenceImage' },
  strength_without_image: { field: 'strength' },
  character_references_too_many: { field: 'images', max: 8 },
  references_body_invalid: { field: 'images', mode: 'set' },
  upload_unknown: { field: 'referenceImage' },
  video_unroutable: { field: 'kind', model: 'pony', choices: ['animagine'] },
  backend_name_invalid: { field: 'name' },
  backend_url_invalid: { field: 'url' },
  output_unknown: { field: 'output', outputs: 2 },
  upscale_too_large: { field: 'output', width: 1536, height: 1024, max: 2048 },
  family_image_only: { relation: 'upscale' },
  outputs_missing: { finished: true },
  not_permitted: { action: 'create_projects' },
  token_role_too_high: {},
  project_unknown: { slug: 'ink' },
  no_usable_project: {},
  image_unknown: {},
  job_unknown: {},
  character_not_found: { name: 'Ren' },
  member_unknown: { user: 'ben' },
  token_unknown: {},
  backend_unknown: { name: 'gpu-a' },
  workflow_not_sent: { builtin: true },
  project_exists: { slug: 'ink' },
  default_project_archive: {},
  project_already_archived: {},
  archived_channel_default: {},
  archived_move_target: {},
  image_already_there: {},
  image_not_finished: {},
  image_moved_meanwhile: {},
  character_exists: { name: 'Ren', where: 'space' },
  job_ended: { finished: true },
  backend_exists: { name: 'gpu-a', declared: true },
  backend_declared: { name: 'gpu-a' },
};

/** A sample of every field rule's details, likewise typed. */
const RULE_SAMPLES: { [R in FieldRule]: FieldRuleDetails[R] } = {
  required: {},
  type: { expected: 'number' },
  min: { minimum: 64, origin: 'number' },
  max: { maximum: 1000, origin: 'string' },
  multiple_of: { divisor: 8 },
  one_of: { values: ['image', 'video'] },
  format: { format: 'uuid' },
  whole_range: { min: 1, max: 4 },
  range: { min: -10, max: 10 },
  not_empty: {},
  no_nul: {},
  broken_unicode: {},
  no_control_chars: {},
  slug: {},
  project_slug: {},
  character_name: {},
  character_list: {},
  lora_file: {},
  needs_letter_or_digit: {},
  safe_pattern: { problem: 'nested_quantifier' },
  utc_day: {},
  date: { example: '2025-06-01' },
  cursor: {},
  search_words: {},
  platform_role: {},
  user_id: {},
  token_subject: {},
  channel_id: {},
  model_id: {},
  page_size: { served: 100 },
  invalid: {},
};

const problems: FailureProblem[] = [
  ...FAILURE_REASONS.map((reason) => ({ reason, ...REASON_SAMPLES[reason] }) as FailureProblem),
  ...FIELD_RULES.map((rule) => ({ reason: 'field_invalid', field: 'prompt', rule, ...RULE_SAMPLES[rule] }) as FailureProblem),
];

/** Each adapter: its reason table and its whole words for a failure (framing, escaping). */
const ADAPTERS: Array<[string, FailureReasonWords, (f: Failure) => string]> = [
  ['discord', DISCORD, (f) => describeFailure(f, 'project', 0)],
  ['slack', SLACK, failureText],
  ['web', WEB, (f) => WEB_FAILURE_WORDS[f.code](f)],
];

const label = (p: FailureProblem) => (p.reason === 'field_invalid' ? `field_invalid/${p.rule}` : p.reason);

describe.each(ADAPTERS)('the %s words', (adapter, reasonWords, words) => {
  test('cover exactly the core reasons', () => {
    expect(Object.keys(reasonWords).sort()).toEqual([...FAILURE_REASONS].sort());
    expect(Object.keys(REASON_CODES).sort()).toEqual(Object.keys(REASON_SAMPLES).sort());
  });

  test.each(problems.map((p) => [label(p), p] as const))('say what %s names, in the words for its code', (_reason, problem) => {
    const phrase = describeProblem(reasonWords, problem);
    expect(phrase.trim().length).toBeGreaterThan(5);
    expect(phrase).not.toMatch(/undefined|null|NaN|\[object|rule:|^\s|\s$/);
    const failure = fail(problem);
    const text = words(failure);
    // Discord's forbidden words follow what the user was doing; every other failure carries the phrase.
    if (!(adapter === 'discord' && failure.code === 'forbidden')) expect(text).toContain(phrase);
  });
});

describe('each adapter quotes what the user typed its own way', () => {
  const typed = fail({ reason: 'project_unknown', slug: '**ink** <@&123> @everyone' }, { field: 'project' });

  test('Discord shows it as text: no markdown, no mention', () => {
    const text = describeFailure(typed, 'project');
    expect(text).not.toContain('**ink**');
    expect(text).not.toMatch(/<@&|@everyone/);
    expect(text).toContain('ink');
  });

  test('Slack escapes mrkdwn control characters', () => {
    const text = failureText(typed);
    expect(text).toContain('&lt;@&amp;123&gt;');
    expect(text).not.toContain('<@&');
  });

  test('the web sends it as it is (JSON)', () => {
    expect(WEB_FAILURE_WORDS.not_found(typed)).toBe('no project named "**ink** <@&123> @everyone"');
  });
});

describe('zod issues become rules with their facts', () => {
  const schema = generateRequestSchema({ maxPromptLength: 1000 });
  const problemOf = (input: unknown) => {
    const parsed = parseInput(schema, input);
    return parsed.ok ? undefined : parsed.problem;
  };

  test('from the issue itself: required, type, bounds, multiple, allowed values, unknown keys', () => {
    expect(problemOf({})).toEqual({ reason: 'field_invalid', field: 'prompt', rule: 'required' });
    expect(problemOf({ prompt: 'x', width: '512' })).toEqual({ reason: 'field_invalid', field: 'width', rule: 'type', expected: 'number' });
    expect(problemOf({ prompt: 'x', width: 32 })).toMatchObject({ field: 'width', rule: 'min', minimum: 64 });
    expect(problemOf({ prompt: 'x', steps: 101 })).toMatchObject({ field: 'steps', rule: 'max', maximum: 100 });
    expect(problemOf({ prompt: 'x', width: 100 })).toEqual({ reason: 'field_invalid', field: 'width', rule: 'multiple_of', divisor: 8 });
    expect(problemOf({ prompt: 'x', kind: 'audio' })).toEqual({ reason: 'field_invalid', field: 'kind', rule: 'one_of', values: ['image', 'video'] });
    expect(problemOf({ prompt: 'x', sampler: 'euler' })).toEqual({ reason: 'unknown_field', field: 'sampler' });
  });

  test("from the schema's own rule: whole_range whatever the mistake, text rules", () => {
    for (const seed of [-1, 1.5, '7']) expect(problemOf({ prompt: 'x', seed })).toEqual({ reason: 'field_invalid', field: 'seed', rule: 'whole_range', min: 0, max: 2 ** 32 - 1 });
    expect(problemOf({ prompt: 'a\u0000b' })).toEqual({ reason: 'field_invalid', field: 'prompt', rule: 'no_nul' });
    expect(problemOf({ prompt: 'a\u0007b' })).toEqual({ reason: 'field_invalid', field: 'prompt', rule: 'no_control_chars' });
    expect(problemOf({ prompt: '   ' })).toEqual({ reason: 'field_invalid', field: 'prompt', rule: 'not_empty' });
    const tooMany = parseInput(schema, { prompt: 'x', characters: ['a', 'b', 'c', 'd', 'e'] });
    expect(!tooMany.ok && WEB_FAILURE_WORDS.invalid_input(tooMany)).toBe('characters must have at most 4 names');
    const emptyName = parseInput(schema, { prompt: 'x', characters: [''] });
    expect(!emptyName.ok && WEB_FAILURE_WORDS.invalid_input(emptyName)).toBe('characters.0 must not be empty');
  });

  test('a rule message that is not one (a forged or unknown rule) reads as invalid, never as its text', () => {
    const odd = z.strictObject({ a: z.string().refine(() => false, { error: 'rule:{"rule":"explode"}' }), b: z.string().refine(() => false, { error: ruleMessage({ rule: 'slug' }) }) });
    expect(parseInput(odd, { a: 'x', b: 'y' })).toMatchObject({ problem: { field: 'a', rule: 'invalid' } });
    expect(parseInput(odd.pick({ b: true }), { b: 'y' })).toMatchObject({ problem: { field: 'b', rule: 'slug' } });
  });

  test('the web names a field as its route does, in the field and in the words', () => {
    const failure = inWebTerms(fail({ reason: 'field_invalid', field: 'kind', rule: 'one_of', values: ['image', 'video'] }), { kind: 'type' });
    expect(failure.field).toBe('type');
    expect(WEB_FAILURE_WORDS.invalid_input(failure)).toBe('type must be image or video');
  });
});
