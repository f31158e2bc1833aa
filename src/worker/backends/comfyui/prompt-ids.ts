import { createHash } from 'node:crypto';

/**
 * Deterministic ids for one job's prompts, so any worker (after a restart, a retry, a lost reply)
 * can find the prompt an earlier one sent instead of sending it again. The real server runs a
 * resubmitted prompt_id again (only builds newer than 0.3.75 answer 409), so finding it first is
 * the only way to run it once.
 *
 * `candidate` counts the prompts a job has had to send: the next one is used only when the
 * previous one ended in a failure an earlier attempt already reported (see PromptRun.lookup).
 */
function uuidFrom(text: string): string {
  const bytes = createHash('sha256').update(text).digest().subarray(0, 16);
  // RFC 9562 version 8 (custom) and variant bits: a canonical lowercase UUID, as newer servers require.
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const MAX_PROMPTS_PER_JOB = 16;

/**
 * `render` 2 is the quality check's re-render (new seed): its prompts form a chain of their own, so
 * looking up the second render never finds the first one's finished prompt.
 */
export function promptIdFor(jobId: string, candidate: number, render = 1): string {
  return uuidFrom(render === 1 ? `anime-production:prompt:${jobId}:${candidate}` : `anime-production:prompt:${jobId}:render${render}:${candidate}`);
}

/** Whether a queued prompt's extra_data says it is this job's render (absent `render`: the first). */
export function isRenderOf(extra: Record<string, unknown>, jobId: string, render = 1): boolean {
  return extra.job_id === jobId && (extra.render ?? 1) === render;
}

/** One client id per job: execution messages go only to the prompt's client_id, so a restarted worker must reuse it to hear them. */
export function clientIdFor(jobId: string): string {
  return uuidFrom(`anime-production:client:${jobId}`);
}
