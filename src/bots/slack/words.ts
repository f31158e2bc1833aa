import type { JobError } from '../../core/job-message/model.js';
import type { Failure, FailureCode } from '../../core/outcome.js';
import { formatGpuTime } from '../../core/usage/gpu-quota.js';
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

/**
 * Words for every core failure code, in the adapter (the core returns codes, not prose). The core's
 * short English message is only echoed where it names the field or the rule at fault.
 */
const WORDS: Record<FailureCode, (f: Failure) => string> = {
  invalid_input: (f) => `That request doesn't work: ${f.message}.`,
  forbidden: (f) =>
    f.reason === 'role'
      ? 'Your role in this workspace does not allow generating images. A workspace admin can map your user group to the creator role.'
      : `You can't do that: ${f.message}.`,
  not_found: (f) => `Not found: ${f.message}.`,
  rate_limited: (f) => `You're generating too fast. Try again in ${seconds(f.retryAfterMs)}.`,
  too_many_pending: () => 'You already have as many jobs waiting as you may. Wait for one to finish, or cancel one with /cancel.',
  gpu_quota_exceeded: (f) =>
    `You've used your GPU time for today: ${formatGpuTime(Number(f.details?.usedSeconds ?? 0))} of ${formatGpuTime(Number(f.details?.limitSeconds ?? 0))}, nothing left. ` +
    `It resets at 00:00 UTC (${slackResetTime(f.details?.resetsAt)}). \`/usage\` shows your day.`,
  queue_full: (f) => `The queue is full right now. Try again in ${seconds(f.retryAfterMs ?? 30_000)}.`,
  content_refused: (f) => CONTENT[f.reason ?? ''] ?? 'That prompt is not allowed in this workspace. Please rephrase it.',
  conflict: (f) => `That can't be done now: ${f.message}.`,
  unavailable: () => 'The image service is unavailable right now. Please try again in a minute.',
  internal: (f) => `Something went wrong on our side${f.ref ? ` (reference ${f.ref})` : ''}.`,
};

/** mrkdwn-safe words for a failure (the core's message may quote user input, so it is escaped). */
export function failureText(failure: Failure): string {
  const words = WORDS[failure.code](failure);
  // Built only from our own numbers and Slack's date token, which escaping would break.
  return OWN_MARKUP.has(failure.code) ? words : escapeSlackText(words);
}

const OWN_MARKUP: ReadonlySet<FailureCode> = new Set(['gpu_quota_exceeded']);

/** Words for a job that failed in the worker, from its code. */
export function jobFailureText(error: JobError | undefined): string {
  const what = `The image could not be made (${error?.code ?? 'internal'}).`;
  return escapeSlackText(error?.ref ? `${what} Reference ${error.ref}.` : what);
}
