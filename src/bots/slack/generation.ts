import type { Outcome } from '../../core/outcome.js';
import type { Submitted } from '../../core/generate-service.js';
import type { SlackFeatureDeps, SlackPlace } from './deps.js';
import type { GenerateFlags } from './flags.js';
import type { SlackReply, WorkflowWait } from './reply/reply-handle.js';
import { failureText } from './words.js';

/**
 * The shared path of /generate, the modal, Re-roll, V1…/U1… and the workflow step: who is asking ->
 * the core decides -> "queued" posted at once -> the tracker follows the job.
 * Returns the outcome so the caller can word a refusal for its own surface.
 */
export async function startGeneration(
  deps: SlackFeatureDeps,
  place: SlackPlace,
  request:
    | (GenerateFlags & { referenceImage?: string; strength?: number })
    | { rerollOf: string }
    | { fromOutput: { jobId: string; relation: 'variation' | 'upscale'; output: number } },
  options: { workflow?: WorkflowWait; tell?: (text: string) => Promise<unknown> } = {},
): Promise<Outcome<Submitted>> {
  const actor = await deps.actors.actor(place);
  const reply: SlackReply = {
    platform: 'slack',
    teamId: place.teamId,
    channel: place.channelId,
    userId: place.userId,
    ...(options.workflow ? { workflow: options.workflow } : {}),
  };
  const outcome =
    'rerollOf' in request
      ? await deps.service.reroll(actor, request.rerollOf, reply)
      : 'fromOutput' in request
        ? await deps.service.fromOutput(actor, request.fromOutput.jobId, request.fromOutput.relation, request.fromOutput.output, reply)
        : await deps.service.submit(actor, request, reply);
  if (!outcome.ok) {
    await options.tell?.(failureText(outcome));
    return outcome;
  }
  await deps.tracker.announce(outcome.value.job, reply, outcome.value.position, outcome.value.eta);
  return outcome;
}
