import { describeProblem, type FailureReasonWords } from '../../core/failure-reasons.js';
import { describeJobFailure, type JobFailureWords } from '../../core/job-failures.js';
import type { JobError } from '../../core/job-message/model.js';
import type { Failure, FailureCode } from '../../core/outcome.js';
import { describeQualityNote, type QualityNote, type QualityNoteWords } from '../../core/quality.js';
import { formatGpuTime } from '../../core/usage/gpu-quota.js';
import { failureSentences } from '../../infra/failure-sentences.js';
import { jobFailureSentences } from '../../infra/job-failure-sentences.js';
import { qualityNoteSentences } from '../../infra/quality-note-sentences.js';
import { escapeSlackText } from './escape.js';

function seconds(ms: number | undefined): string {
  const s = Math.max(1, Math.ceil((ms ?? 0) / 1000));
  return s === 1 ? '1 second' : `${s} seconds`;
}

/** Why a prompt was refused, by the rule that refused it (the same reasons Discord names). */
const CONTENT: Record<string, string> = {
  nsfw: 'That prompt asks for adult content, which is only allowed in channels marked NSFW.',
  blocklist: 'That prompt contains a word or phrase this workspace has blocked.',
  pattern: 'That prompt matches a pattern this workspace has blocked.',
  minors: 'That prompt is refused: sexual content involving minors is never allowed.',
};

/** When the quota comes back, in the reader's own time (Slack's date token; the fallback is UTC). */
export function slackResetTime(resetsAt: string | number | undefined): string {
  const ms = Date.parse(String(resetsAt ?? ''));
  if (!Number.isFinite(ms)) return 'midnight UTC';
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
}

/** The specifics of a core failure, one phrase per reason (plain text: failureText escapes it with the rest). */
export const FAILURE_REASON_WORDS: FailureReasonWords = failureSentences();

/** What the core named (a field's rule, a missing project), as a phrase to put after a colon. */
function specifics(failure: Failure): string {
  return failure.problem ? `: ${describeProblem(FAILURE_REASON_WORDS, failure.problem)}` : '';
}

/**
 * Words for every core failure code, in the adapter (the core returns codes and reasons, not
 * prose); a failure's problem gives the specifics.
 */
export const FAILURE_WORDS: Record<FailureCode, (f: Failure) => string> = {
  invalid_input: (f) => `That request doesn't work${specifics(f)}.`,
  forbidden: (f) =>
    f.reason === 'role'
      ? 'Your role in this workspace does not allow generating images. A workspace admin can map your user group to the creator role.'
      : `You can't do that${specifics(f)}.`,
  not_found: (f) => `Not found${specifics(f)}.`,
  rate_limited: (f) => `You're generating too fast. Try again in ${seconds(f.retryAfterMs)}.`,
  too_many_pending: () => 'You already have as many jobs waiting as you may. Wait for one to finish, or cancel one with /cancel.',
  gpu_quota_exceeded: (f) =>
    `You've used your GPU time for today: ${formatGpuTime(Number(f.details?.usedSeconds ?? 0))} of ${formatGpuTime(Number(f.details?.limitSeconds ?? 0))}, nothing left. ` +
    `It resets at 00:00 UTC (${slackResetTime(f.details?.resetsAt)}). \`/usage\` shows your day.`,
  queue_full: (f) => `The queue is full right now. Try again in ${seconds(f.retryAfterMs ?? 30_000)}.`,
  content_refused: (f) => CONTENT[f.reason ?? ''] ?? 'That prompt is not allowed in this workspace. Please rephrase it.',
  conflict: (f) => `That can't be done now${specifics(f)}.`,
  unavailable: () => 'The image service is unavailable right now. Please try again in a minute.',
  internal: (f) => `Something went wrong on our side${f.ref ? ` (reference ${f.ref})` : ''}.`,
};

/** mrkdwn-safe words for a failure (the specifics may quote user input, so it is escaped). */
export function failureText(failure: Failure): string {
  const words = FAILURE_WORDS[failure.code](failure);
  // Built only from our own numbers and Slack's date token, which escaping would break.
  return OWN_MARKUP.has(failure.code) ? words : escapeSlackText(words);
}

const OWN_MARKUP: ReadonlySet<FailureCode> = new Set(['gpu_quota_exceeded']);

/** Why a job failed, one sentence per code (plain text: jobFailureText escapes it once). */
export const JOB_FAILURE_WORDS: JobFailureWords = jobFailureSentences();

/** The note on a job posted although its re-render failed the quality check too (our own words: nothing to escape). */
export const QUALITY_NOTE_WORDS: QualityNoteWords = qualityNoteSentences();

export function qualityNoteText(note: QualityNote): string {
  return escapeSlackText(describeQualityNote(QUALITY_NOTE_WORDS, note));
}

/** mrkdwn-safe words for a job that failed in the worker, from its code and details. */
export function jobFailureText(error: JobError | undefined): string {
  const why = describeJobFailure(JOB_FAILURE_WORDS, error?.code, error?.details);
  return escapeSlackText(`The image could not be made. ${why}${error?.ref ? ` Reference ${error.ref}.` : ''}`);
}
