import type { FailureReasonDetails, FailureReasonWords, ForbiddenAction, ModelChoiceFact } from '../core/failure-reasons.js';
import type { FieldRuleDetails, FieldRuleProblem } from '../core/field-rules.js';
import type { PatternProblem } from '../core/content/safe-pattern.js';

/**
 * The English phrase for each reason the core's services fail with, shared by every adapter
 * (Discord, Slack, the web API's `message`): the core keeps reasons and details only. A phrase
 * has no final stop, since each adapter frames it ("Not found: …."). Adapters differ in how a value
 * the user typed (a slug, a name, a model) is made safe for their format: `quote` is that. Discord
 * strips mentions and escapes markdown; Slack escapes the whole text afterwards and the web sends
 * JSON, so both pass values through unchanged.
 */
export function failureSentences(quote: (userValue: string) => string = (value) => value): FailureReasonWords {
  const choices = (list: readonly ModelChoiceFact[]): string => list.map((c) => quote(c.label === c.id ? c.id : `${c.id} (${c.label})`)).join(', ');
  return {
    field_invalid: (d) => `${d.field} ${fieldRuleWords(d, quote)}`,
    unknown_field: (d) => `${quote(d.field)}: unknown field${d.known ? ` (known: ${d.known.join(', ')})` : ''}`,
    field_name_not_text: (d) => `${d.field}: a field name is not valid text`,
    slug_needed: (d) => `${d.field}: give a slug (lowercase letters, digits and dashes); the name has none`,
    members_missing: () => 'name at least one user to add or remove',
    members_too_many: (d) => `at most ${d.max} users at a time`,
    reference_image_unknown: (d) => `${d.field}: no such image in this space`,
    characters_unavailable: (d) => `${d.field} are not available here`,
    character_unknown: (d) => `${d.field}: no character named "${quote(d.name)}" in this project or space`,
    usage_scope_ambiguous: () => 'ask for one of user, project or space',
    range_reversed: (d) => `${d.from} must be ${d.inclusive ? 'on or before' : 'before'} ${d.to}`,
    range_too_long: (d) => `a report covers at most ${d.maxDays} days; this asks for ${d.days}`,
    no_model_offered: (d) => `${d.field}: no model is offered here`,
    model_unknown: (d) => `${d.field}: no model named "${quote(d.name)}"; choose one of: ${choices(d.choices)}`,
    model_missing: (d) =>
      `${d.field}: ${d.isDefault ? 'the default model ' : ''}${quote(d.model)} is not on the image server right now; choose one of: ${choices(d.choices) || 'none is available'}`,
    body_not_object: () => 'the body must be a JSON object',
    // An empty field: the adapter's framing names the field already (Discord's option).
    image_refused: (d) => `${d.field ? `${d.field}: ` : ''}${imageRefusalWords(d)}`,
    references_unavailable: (d) => `${d.field}: reference pictures are not available here`,
    strength_without_image: (d) => `${d.field}: needs referenceImage (or a character with reference pictures)`,
    character_references_too_many: (d) => `${d.field}: a character has at most ${d.max} reference pictures`,
    references_body_invalid: (d) => (d.mode === 'set' ? `${d.field}: send {"images": [asset_id, ...]}` : `${d.field}: send {"image": asset_id} or {"images": [asset_id, ...]}`),
    upload_unknown: (d) => `${d.field}: no such uploaded image`,
    video_unroutable: (d) =>
      `${d.field}: no image server can make videos with model ${quote(d.model)}${d.choices.length > 0 ? `; videos can be made with: ${d.choices.map(quote).join(', ')}` : '; no image server can make videos right now'}`,
    backend_name_invalid: (d) => `${d.field}: 1-32 lowercase letters, digits, dash or underscore`,
    backend_url_invalid: (d) => `${d.field}: a URL starting with http:// or https://`,
    output_unknown: (d) => `${d.field}: this job has ${d.outputs === 1 ? 'one picture (0)' : `pictures 0 to ${d.outputs - 1}`}`,
    upscale_too_large: (d) => `${d.field}: this picture is ${d.width}×${d.height}, and twice that would pass the ${d.max} px limit`,
    family_image_only: (d) => `${d.relation === 'variation' ? 'variations' : 'upscaling'} start from a still picture, and this job made a clip`,
    outputs_missing: (d) => (d.finished ? "this job's pictures were deleted" : 'this job has no pictures yet; try again when it has finished'),
    not_permitted: (d) => NOT_PERMITTED[d.action],
    token_role_too_high: () => 'a token cannot carry a role above your own',
    project_unknown: (d) => (d.slug === undefined ? 'no such project' : `no project named "${quote(d.slug)}"`),
    no_usable_project: () => 'no project you may use here; name one with project',
    image_unknown: () => 'no such image',
    job_unknown: () => 'no such job',
    character_not_found: (d) => (d.name === undefined ? 'no such character' : `no character named "${quote(d.name)}"`),
    member_unknown: (d) => `no member "${quote(d.user)}" in this space`,
    token_unknown: () => 'no such token in this space',
    backend_unknown: (d) => `no backend named ${quote(d.name)}`,
    workflow_not_sent: (d) =>
      d.builtin ? 'this job ran on the built-in renderer, which sends no workflow; its recipe has every setting' : 'no workflow was sent for this job yet',
    project_exists: (d) => `a project named "${quote(d.slug)}" already exists`,
    default_project_archive: () => 'the default project cannot be archived',
    project_already_archived: () => 'the project is already archived',
    archived_channel_default: () => 'an archived project cannot be a channel default',
    archived_move_target: () => 'images cannot be moved into an archived project',
    image_already_there: () => 'the image is already in that project',
    image_not_finished: () => 'only finished images can be moved',
    image_moved_meanwhile: () => 'the image was moved by someone else meanwhile',
    character_exists: (d) => `a character named "${quote(d.name)}" already exists ${CHARACTER_PLACE[d.where]}`,
    job_ended: (d) => `the job has already ${d.finished ? 'finished' : 'ended'}`,
    backend_exists: (d) => `a backend named ${quote(d.name)} ${d.declared ? 'is already declared' : 'already exists'}`,
    backend_declared: (d) => `${quote(d.name)} is declared in the environment (COMFYUI_URLS); drain it instead`,
  };
}

const NOT_PERMITTED: Record<ForbiddenAction, string> = {
  create_projects: 'only moderators may create projects',
  change_projects: 'only moderators may change projects',
  archive_projects: 'only moderators may archive projects',
  set_channel_projects: "only moderators may set a channel's project",
  move_images: 'only moderators may move images between projects',
  create_characters: 'only moderators may create characters',
  edit_characters: 'only moderators may edit characters',
  delete_characters: 'only moderators may delete characters',
  cancel_job: 'only the author or a moderator may cancel this job',
  delete_image: 'only the author or a moderator may delete this image',
  list_space_jobs: "only moderators may list everyone's jobs",
  read_role_mapping: 'only admins may see the role mapping',
  change_role_mapping: 'only admins may change the role mapping',
  read_settings: 'only admins may see the space settings',
  change_settings: 'only admins may change the space settings',
  issue_tokens: 'only admins may issue API tokens',
  revoke_tokens: 'only admins may revoke API tokens',
  read_audit_log: 'only admins may read the audit log',
  read_member_usage: "only admins may read another member's usage",
  read_space_usage: "only admins may read a project's or the space's usage",
  change_characters: 'only moderators may change characters',
  see_backends: 'only admins may see the backends',
  add_backends: 'only admins may add a backend',
  remove_backends: 'only admins may remove a backend',
  drain_backends: 'only admins may drain a backend',
  resume_backends: 'only admins may resume a backend',
};

function imageRefusalWords(d: FailureReasonDetails['image_refused']): string {
  const megabytes = d.maxBytes === undefined ? undefined : Math.round((d.maxBytes / (1024 * 1024)) * 10) / 10;
  switch (d.why) {
    case 'empty':
      return 'the file is empty';
    case 'too_large':
      return megabytes === undefined ? 'the image is too large' : `the image is over ${megabytes} MB`;
    case 'type':
      return 'only PNG, JPEG and WebP images are accepted';
    case 'type_mismatch':
      return 'the image is not the type its first bytes claim';
    case 'unreadable':
      return 'the image could not be read';
    case 'too_many_pixels': {
      const side = d.maxPixels === undefined ? undefined : Math.floor(Math.sqrt(d.maxPixels));
      return `the image is ${d.width ?? '?'}x${d.height ?? '?'}; at most ${d.maxPixels ?? '?'} pixels (${side}x${side}) are accepted`;
    }
    case 'download_failed':
      return 'the image could not be downloaded; try sending it again';
    case 'missing':
      return 'the picture could not be found; upload it again';
  }
}

const CHARACTER_PLACE: Record<FailureReasonDetails['character_exists']['where'], string> = { project: 'in that project', space: 'in this space', there: 'there' };

const NOUNS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

const PATTERN: Record<PatternProblem, string> = {
  empty: 'is empty',
  too_long: 'is too long',
  invalid: 'is not a valid regular expression',
  backreference: 'is refused: backreferences are not allowed',
  nested_quantifier: 'is refused: a repeated group that repeats inside can take very long to match',
};

function bound(d: { origin?: string; inclusive?: boolean; items?: string }, value: number, side: 'least' | 'most'): string {
  const exclusive = d.inclusive === false;
  const than = side === 'least' ? (exclusive ? 'more than' : 'at least') : exclusive ? 'less than' : 'at most';
  if (d.origin === 'string') return side === 'least' && !exclusive && value === 1 ? 'must not be empty' : `must be ${than} ${value} characters`;
  if (d.origin === 'array' || d.origin === 'set') return `must have ${than} ${value} ${d.items ?? 'items'}`;
  return `must be ${than} ${value}`;
}

/** "a, b or c": the allowed values as a reader says them. */
function orList(values: readonly string[], quote: (v: string) => string): string {
  const shown = values.map(quote);
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

type RuleWords = { readonly [R in keyof FieldRuleDetails]: (d: FieldRuleDetails[R], quote: (v: string) => string) => string };

/** What a field must be, after its name: one phrase per rule. */
const RULE_WORDS: RuleWords = {
  required: () => 'is required',
  type: (d) => `must be ${NOUNS[d.expected] ?? 'something else'}`,
  min: (d) => bound(d, d.minimum, 'least'),
  max: (d) => bound(d, d.maximum, 'most'),
  multiple_of: (d) => `must be a multiple of ${d.divisor}`,
  one_of: (d, quote) => `must be ${orList(d.values, quote)}`,
  format: (d) => (d.format === 'uuid' ? 'must be an id' : 'is not in the expected form'),
  whole_range: (d) => `must be a whole number from ${d.min} to ${d.max}`,
  range: (d) => `must be between ${d.min} and ${d.max}`,
  not_empty: () => 'must not be empty',
  no_nul: () => 'must not contain NUL characters',
  broken_unicode: () => 'must be valid Unicode text (it has a broken character)',
  no_control_chars: () => 'must not contain control characters',
  slug: () => 'must be 1-64 lowercase letters, digits and dashes',
  project_slug: () => 'must be a project slug (lowercase letters, digits and dashes)',
  character_name: () => 'must be 1-48 letters, digits, spaces, dots, dashes or apostrophes',
  character_list: () => 'must be a list of character names',
  lora_file: () => 'is not a valid LoRA file name',
  needs_letter_or_digit: () => 'needs at least one letter or digit',
  safe_pattern: (d) => PATTERN[d.problem],
  utc_day: () => 'must be a day written YYYY-MM-DD (UTC)',
  date: (d) => `must be a date like ${d.example}`,
  cursor: () => 'is not valid',
  search_words: () => 'needs at least one letter or digit to search for',
  platform_role: () => 'must be a platform role id (letters, digits, _ : -)',
  user_id: () => 'must be a platform user id',
  token_subject: () => 'must be a user name of 1-64 letters, digits and . _ @ -',
  channel_id: () => 'must be a channel id',
  model_id: () => 'must be a model id, as GET /api/models lists them',
  page_size: (d) => `must be a whole number of 1 or more (at most ${d.served} are returned)`,
  invalid: () => 'is not valid',
};

/** The phrase for one broken rule (after the field's name). */
function fieldRuleWords(problem: FieldRuleProblem, quote: (v: string) => string = (v) => v): string {
  // Correlated union again: the record's type ties each rule to its details.
  return (RULE_WORDS[problem.rule] as (d: FieldRuleProblem, q: (v: string) => string) => string)(problem, quote);
}
