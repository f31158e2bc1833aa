import type { FailureCode } from './outcome.js';
import type { FieldRuleProblem } from './field-rules.js';

/**
 * Why the core's services said no, as reasons with structured details: the closed set behind every
 * `fail(...)` in src/core. A reason fixes its failure code (so the HTTP status and the adapter's
 * framing follow from it); its details are facts (the field, the slug asked for, the choices),
 * never prose; a detail named `field` is the request field at fault, which an adapter may rename
 * (the web API's names are not the core's). Each adapter words every reason through the one sentence table in
 * src/infra/failure-sentences.ts, quoting user-supplied values its own way (Discord markdown,
 * Slack mrkdwn, plain for the web). Refusals by rule (role, content, limits, quota) are not here:
 * they go through refuse() and are worded by their code and `reason`.
 *
 * Adding a reason: add its details to FailureReasonDetails and its code to REASON_CODES (the
 * compiler asks for both), then its sentence in src/infra/failure-sentences.ts and a sample in
 * test/unit/failure-words.test.ts (both typed by the reason, so missing ones do not compile).
 * Return it with `fail({ reason: 'name', ...details })`; test/unit/core-failure-prose.test.ts fails
 * when English prose creeps back into a failure in src/core or src/worker.
 */
export interface FailureReasonDetails {
  // invalid_input
  /** A request field breaks a rule (zod issues and the services' own checks). */
  field_invalid: { field: string } & FieldRuleProblem;
  /** A field the request does not know; `known` lists the ones it does, where that helps. */
  unknown_field: { field: string; known?: string[] };
  /** A field name that is not storable text (NUL, a broken character). */
  field_name_not_text: { field: string };
  /** A new project whose name gives no slug (no letter or digit in it) and no slug was given. */
  slug_needed: { field: string };
  /** A member change that names nobody to add or remove. */
  members_missing: Record<never, never>;
  members_too_many: { max: number };
  /** A character's reference image that is no finished image of this space. */
  reference_image_unknown: { field: string };
  /** The request names characters where no character store is wired. */
  characters_unavailable: { field: string };
  /** A character the request names that is not in its project or space. */
  character_unknown: { field: string; name: string };
  /** A usage report may name one of user, project or space. */
  usage_scope_ambiguous: Record<never, never>;
  /** A date range whose start is after (or, when not inclusive, at) its end. */
  range_reversed: { from: string; to: string; inclusive: boolean };
  range_too_long: { maxDays: number; days: number };
  no_model_offered: { field: string };
  /** A model name that is not offered; choices: the ones a user can pick. */
  model_unknown: { field: string; name: string; choices: ModelChoiceFact[] };
  /** An offered model no backend has right now (`isDefault`: the request named none). */
  model_missing: { field: string; model: string; isDefault: boolean; choices: ModelChoiceFact[] };
  /** The request body is not a JSON object. */
  body_not_object: Record<never, never>;
  /** A picture the intake or the download refused; `why` says what is wrong, with the limit it broke. */
  image_refused: { field: string; why: ImageRefusal; maxBytes?: number; width?: number; height?: number; maxPixels?: number };
  /** Reference pictures where no upload store is wired. */
  references_unavailable: { field: string };
  /** A strength with no picture for it to apply to. */
  strength_without_image: { field: string };
  /** More reference pictures than a character may hold. */
  character_references_too_many: { field: string; max: number };
  /** A character-references body of the wrong shape (`mode`: replacing the list, or adding to it). */
  references_body_invalid: { field: string; mode: 'set' | 'add' };
  /** A video asked of a model no backend can make videos with; `choices`: the models that can. */
  video_unroutable: { field: string; model: string; choices: string[] };
  /** A backend's name or URL that breaks its rule (names: 1-32 of a-z 0-9 - _; URLs: http or https). */
  backend_name_invalid: { field: string };
  backend_url_invalid: { field: string };
  /** Variations or Upscale of an output the job does not have; `outputs`: how many it has. */
  output_unknown: { field: string; outputs: number };
  /** Upscale whose 2x would be larger than a job may be (`max`: the longest side allowed). */
  upscale_too_large: { field: string; width: number; height: number; max: number };
  /** Variations and Upscale start from a still picture; a clip is not one. */
  family_image_only: { relation: 'variation' | 'upscale' };

  // forbidden
  /** The viewer's role may not do this. */
  not_permitted: { action: ForbiddenAction };
  /** An API token may not carry a role above its issuer's. */
  token_role_too_high: Record<never, never>;

  // not_found
  /** A project that does not exist or the viewer may not see; slug when the request named one. */
  project_unknown: { slug?: string };
  /** The request named no project and the viewer may use none here. */
  no_usable_project: Record<never, never>;
  image_unknown: Record<never, never>;
  job_unknown: Record<never, never>;
  /** A character that does not exist or the viewer may not see; name when the request named one. */
  character_not_found: { name?: string };
  member_unknown: { user: string };
  token_unknown: Record<never, never>;
  backend_unknown: { name: string };
  /** An uploaded picture's id that is no upload of this space. */
  upload_unknown: { field: string };
  /** No workflow to download: the built-in renderer sends none, or the job has not reached a backend. */
  workflow_not_sent: { builtin: boolean };

  // conflict
  project_exists: { slug: string };
  default_project_archive: Record<never, never>;
  project_already_archived: Record<never, never>;
  archived_channel_default: Record<never, never>;
  archived_move_target: Record<never, never>;
  image_already_there: Record<never, never>;
  image_not_finished: Record<never, never>;
  image_moved_meanwhile: Record<never, never>;
  /** A character of that name exists where it would go: the named project, the space, or (an edit) there. */
  character_exists: { name: string; where: 'project' | 'space' | 'there' };
  /** The job already ended; finished: it completed (rather than failed or was cancelled). */
  job_ended: { finished: boolean };
  /** Variations or Upscale of a job with no pictures to start from (not finished, or its files deleted). */
  outputs_missing: { finished: boolean };
  /** A backend of that name exists (declared: in the environment, rather than the table). */
  backend_exists: { name: string; declared: boolean };
  /** A backend declared in the environment cannot be removed through the API, only drained. */
  backend_declared: { name: string };
}

/** What is wrong with a refused picture. */
export type ImageRefusal = 'empty' | 'too_large' | 'type' | 'type_mismatch' | 'unreadable' | 'too_many_pixels' | 'download_failed' | 'missing';

/** A model as a refusal names it: its id and the name users see. */
export interface ModelChoiceFact {
  id: string;
  label: string;
}

/** What a role may not do, for not_permitted. */
export type ForbiddenAction =
  | 'create_projects'
  | 'change_projects'
  | 'archive_projects'
  | 'set_channel_projects'
  | 'move_images'
  | 'create_characters'
  | 'edit_characters'
  | 'delete_characters'
  | 'cancel_job'
  | 'delete_image'
  | 'list_space_jobs'
  | 'read_role_mapping'
  | 'change_role_mapping'
  | 'read_settings'
  | 'change_settings'
  | 'issue_tokens'
  | 'revoke_tokens'
  | 'read_audit_log'
  | 'read_member_usage'
  | 'read_space_usage'
  | 'change_characters'
  | 'see_backends'
  | 'add_backends'
  | 'remove_backends'
  | 'drain_backends'
  | 'resume_backends';

export type FailureReason = keyof FailureReasonDetails;

/** The code each reason fails with. */
export const REASON_CODES: { readonly [R in FailureReason]: FailureCode } = {
  field_invalid: 'invalid_input',
  unknown_field: 'invalid_input',
  field_name_not_text: 'invalid_input',
  slug_needed: 'invalid_input',
  members_missing: 'invalid_input',
  members_too_many: 'invalid_input',
  reference_image_unknown: 'invalid_input',
  characters_unavailable: 'invalid_input',
  character_unknown: 'invalid_input',
  usage_scope_ambiguous: 'invalid_input',
  range_reversed: 'invalid_input',
  range_too_long: 'invalid_input',
  no_model_offered: 'invalid_input',
  model_unknown: 'invalid_input',
  model_missing: 'invalid_input',
  body_not_object: 'invalid_input',
  video_unroutable: 'invalid_input',
  image_refused: 'invalid_input',
  references_unavailable: 'invalid_input',
  strength_without_image: 'invalid_input',
  character_references_too_many: 'invalid_input',
  references_body_invalid: 'invalid_input',
  upload_unknown: 'not_found',
  backend_name_invalid: 'invalid_input',
  backend_url_invalid: 'invalid_input',
  output_unknown: 'invalid_input',
  upscale_too_large: 'invalid_input',
  family_image_only: 'invalid_input',
  outputs_missing: 'conflict',
  not_permitted: 'forbidden',
  token_role_too_high: 'forbidden',
  project_unknown: 'not_found',
  no_usable_project: 'not_found',
  image_unknown: 'not_found',
  job_unknown: 'not_found',
  character_not_found: 'not_found',
  member_unknown: 'not_found',
  token_unknown: 'not_found',
  backend_unknown: 'not_found',
  workflow_not_sent: 'not_found',
  project_exists: 'conflict',
  default_project_archive: 'conflict',
  project_already_archived: 'conflict',
  archived_channel_default: 'conflict',
  archived_move_target: 'conflict',
  image_already_there: 'conflict',
  image_not_finished: 'conflict',
  image_moved_meanwhile: 'conflict',
  character_exists: 'conflict',
  job_ended: 'conflict',
  backend_exists: 'conflict',
  backend_declared: 'conflict',
};

export const FAILURE_REASONS = Object.keys(REASON_CODES) as FailureReason[];

/** One reason with its details, as a failure carries it. */
export type FailureProblem = { [R in FailureReason]: { reason: R } & FailureReasonDetails[R] }[FailureReason];

/** One adapter's words: a sentence per reason (without a final stop; the adapter frames it). */
export type FailureReasonWords = { readonly [R in FailureReason]: (details: FailureReasonDetails[R]) => string };

/** The sentence `words` give for `problem`. */
export function describeProblem(words: FailureReasonWords, problem: FailureProblem): string {
  // TypeScript cannot tie the indexed function to the same reason (correlated union); the record's type guarantees it.
  return (words[problem.reason] as (d: FailureProblem) => string)(problem);
}
