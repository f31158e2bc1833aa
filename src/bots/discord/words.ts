import { escapeMarkdown } from 'discord.js';
import { describeProblem, type FailureReasonWords } from '../../core/failure-reasons.js';
import { describeJobFailure, type JobFailureWords } from '../../core/job-failures.js';
import type { JobError } from '../../core/job-message/model.js';
import type { Failure, FailureCode } from '../../core/outcome.js';
import { describeQualityNote, type QualityNote, type QualityNoteWords } from '../../core/quality.js';
import { formatGpuTime } from '../../core/usage/gpu-quota.js';
import { failureSentences } from '../../infra/failure-sentences.js';
import { jobFailureSentences } from '../../infra/job-failure-sentences.js';
import { qualityNoteSentences } from '../../infra/quality-note-sentences.js';

/** What the user was doing, so a refusal can say what it refused. */
export type Doing = 'generate' | 'cancel' | 'delete' | 'reroll' | 'configure' | 'token' | 'list' | 'project' | 'character' | 'browse' | 'usage' | 'backend';

/** Where the core's own not_found message names the missing thing (a project, a character). */
const NAMES_WHAT_IS_MISSING: ReadonlySet<Doing> = new Set(['generate', 'project', 'character', 'browse', 'usage', 'backend']);

/** The request fields as the user knows them: the slash-command option names. */
const FIELD_NAMES: Record<string, string> = {
  prompt: 'prompt',
  negativePrompt: 'negative',
  referenceImage: 'image',
  file: 'image',
  image: 'image',
  strength: 'strength',
  width: 'aspect',
  height: 'aspect',
  seed: 'seed',
  count: 'count',
  project: 'project',
  platform_role: 'role',
  user: 'user',
  days: 'days',
  characters: 'character',
  name: 'name',
  slug: 'slug',
  description: 'description',
  visibility: 'visibility',
  promptFragment: 'fragment',
  negativeFragment: 'negative',
  referenceSeed: 'seed',
  lora: 'lora',
  'lora.name': 'lora',
  'lora.weight': 'lora_weight',
  q: 'text',
  channel: 'channel',
};

const FORBIDDEN: Record<Doing, string> = {
  generate: 'Your role in this server cannot generate images. Ask a server admin for a creator role.',
  reroll: 'Your role in this server cannot generate images. Ask a server admin for a creator role.',
  cancel: 'Only the author of this job or a moderator can cancel it.',
  delete: 'Only the author of this image or a moderator can delete it.',
  configure: 'Only server admins (Manage Server) can change these settings.',
  token: 'Only server admins can issue API tokens, and never with a role above their own.',
  list: 'Only moderators can see everyone\'s jobs.',
  project: 'Only moderators can create or change projects. Ask a server admin for the moderator role.',
  character: 'Only moderators can create, edit or delete characters. Ask a server admin for the moderator role.',
  browse: 'Your role in this server cannot view the gallery.',
  usage: 'Only server admins can see another member\'s, a project\'s or the whole server\'s GPU usage. `/usage` alone shows yours.',
  backend: 'Only server admins can see, drain or resume the GPU backends.',
};

const CONTENT: Record<string, string> = {
  nsfw: 'That prompt asks for adult content, which is only allowed in channels marked NSFW.',
  blocklist: 'That prompt contains a word or phrase this server has blocked.',
  pattern: 'That prompt matches a pattern this server has blocked.',
  minors: 'That prompt is refused: sexual content involving minors is never allowed.',
};

/** Discord renders `<t:unix:R>` in the reader's own language and time zone ("in 20 seconds"). */
function whenToRetry(retryAfterMs: number | undefined, now = Date.now()): string {
  const seconds = Math.max(1, Math.ceil((retryAfterMs ?? 30_000) / 1000));
  return `<t:${Math.ceil((now + seconds * 1000) / 1000)}:R> (in about ${seconds} s)`;
}

/** The quota refusal: what was used of what, that nothing is left, and when it comes back (the reader's own time). */
function gpuQuotaWords(failure: Failure): string {
  const used = Number(failure.details?.usedSeconds ?? 0);
  const limit = Number(failure.details?.limitSeconds ?? 0);
  const resets = Date.parse(String(failure.details?.resetsAt ?? ''));
  const when = Number.isFinite(resets) ? `<t:${Math.floor(resets / 1000)}:t>, <t:${Math.floor(resets / 1000)}:R>` : 'at midnight UTC';
  return `You have used your GPU time for today: ${formatGpuTime(used)} of ${formatGpuTime(limit)}, nothing left. It resets at 00:00 UTC (${when}). \`/usage\` shows your day.`;
}

/** What the core named (a field's rule, a missing project), in words; undefined for refusals. */
function specifics(failure: Failure): string | undefined {
  return failure.problem && describeProblem(FAILURE_REASON_WORDS, failure.problem);
}

/** Words for every failure the core can return, one per code; a failure's problem gives the specifics. */
const FAILURE_WORDS: Record<FailureCode, (failure: Failure, doing: Doing, now: number) => string> = {
  forbidden: (_f, doing) => FORBIDDEN[doing],
  rate_limited: (f, _doing, now) => `You are generating too fast. Try again ${whenToRetry(f.retryAfterMs, now)}.`,
  gpu_quota_exceeded: (f) => gpuQuotaWords(f),
  too_many_pending: () => 'You already have as many jobs waiting as you may. Wait for one to finish, or cancel one from `/jobs`.',
  queue_full: (f, _doing, now) => `The queue is full right now. Please try again ${whenToRetry(f.retryAfterMs, now)}.`,
  content_refused: (f) => CONTENT[f.reason ?? ''] ?? 'That prompt is not allowed in this server. Please rephrase it.',
  invalid_input: (f) => {
    const field = FIELD_NAMES[f.field ?? ''] ?? f.field ?? 'input';
    const why = specifics(f);
    return `The \`${field}\` option is not valid${why ? `: ${why}` : ''}.`;
  },
  not_found: (f, doing) => {
    const what = specifics(f);
    return NAMES_WHAT_IS_MISSING.has(doing) && what ? `Not found: ${what}.` : 'That job does not exist, or it is not yours to see.';
  },
  conflict: (f) => {
    const why = specifics(f);
    return why ? `Nothing to do: ${why}.` : 'Nothing to do: that is already the case.';
  },
  unavailable: () => 'The image service is unavailable right now. Please try again in a minute.',
  internal: (f) => `Something went wrong on our side.${f.ref ? ` Reference: \`${f.ref}\`` : ''}`,
};

export function describeFailure(failure: Failure, doing: Doing, now = Date.now()): string {
  return FAILURE_WORDS[failure.code](failure, doing, now);
}

/** Detail values come from the image server (a node type) or the user (a slug, a name): shown as text, never as markdown or a mention. */
function named(value: string): string {
  return escapeMarkdown(value.replace(/[<>@#]/g, ''));
}

/** The specifics of a core failure, one phrase per reason, with user-typed values shown as text. */
export const FAILURE_REASON_WORDS: FailureReasonWords = failureSentences(named);

/** Why a job failed, one sentence per code (the reply adds the reference and what to do). */
export const JOB_FAILURE_WORDS: JobFailureWords = jobFailureSentences(named);

/** The note on a job posted although its re-render failed the quality check too. */
export const QUALITY_NOTE_WORDS: QualityNoteWords = qualityNoteSentences();

export function describeQualityNoteWords(note: QualityNote): string {
  return describeQualityNote(QUALITY_NOTE_WORDS, note);
}

/** Words for a job's recorded failure (an unknown or missing code reads as `internal`). */
export function describeJobError(error: JobError | undefined): string {
  return describeJobFailure(JOB_FAILURE_WORDS, error?.code, error?.details);
}
