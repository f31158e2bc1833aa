import { GenerationError } from '../../../core/errors.js';
import type { GenerationInput } from '../../../core/generator.js';
import type { ComfyUiHttp, QueueEntry } from './client.js';
import { executionError, interruptedError } from './failures.js';
import { extraDataOf, statusMessages, type HistoryEntry } from './outputs.js';
import { isRenderOf, MAX_PROMPTS_PER_JOB, promptIdFor } from './prompt-ids.js';

/** What earlier attempts left on the server for this job: nothing yet, a prompt to follow, or a finished one. */
export type FoundPrompt =
  | { kind: 'none'; promptId: string }
  | { kind: 'queued'; entry: QueueEntry }
  | { kind: 'finished'; promptId: string; entry: HistoryEntry };

/** How a finished prompt failed, from its history entry; undefined when it succeeded. */
export function historyFailure(entry: HistoryEntry): GenerationError | undefined {
  const messages = statusMessages(entry);
  const failure = messages.find(([event]) => event === 'execution_error');
  if (failure) return executionError(failure[1]);
  const interrupted = messages.find(([event]) => event === 'execution_interrupted');
  if (interrupted) return interruptedError(interrupted[1]);
  if (entry.status?.status_str === 'error') return new GenerationError('execution_failed', {}, 'never', { adminText: 'the history entry says the run failed' });
  return undefined;
}

/**
 * The job's prompts are promptIdFor(job, 0), (job, 1), ...: the first one that is queued, running
 * or finished well is this attempt's; one that failed is skipped when an earlier attempt already
 * reported that failure (the job is being retried), and its failure is thrown when it is this
 * attempt's own (the worker stopped before it could say so). The first unknown id is the one to send.
 */
export async function findJobPrompt(http: ComfyUiHttp, input: GenerationInput): Promise<FoundPrompt> {
  const { jobId } = input;
  const queue = await http.queue();
  // Also by job id: servers that mint their own prompt_id (2024 builds) keep our extra_data.
  const queued = queue.entries.find((e) => isRenderOf(e.extra, jobId, input.render));
  if (queued) return { kind: 'queued', entry: queued };
  for (let candidate = 0; candidate < MAX_PROMPTS_PER_JOB; candidate++) {
    const promptId = promptIdFor(jobId, candidate, input.render);
    const entry = await http.history(promptId);
    if (!entry) return { kind: 'none', promptId };
    const failure = historyFailure(entry);
    if (!failure) return { kind: 'finished', promptId, entry };
    const sentBy = extraDataOf(entry.prompt).attempt;
    if (input.attempt === undefined || sentBy === input.attempt) throw failure;
  }
  throw new GenerationError('backend_error', {}, 'never', {
    adminText: 'every prompt this job may send failed',
    cause: new Error(`${MAX_PROMPTS_PER_JOB} prompts of job ${jobId} failed`),
  });
}
