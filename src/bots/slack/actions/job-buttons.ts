import type { App, BlockButtonAction } from '@slack/bolt';
import { cancelJob } from '../commands/cancel.js';
import type { SlackFeatureDeps, SlackPlace } from '../deps.js';
import { withErrorBoundary } from '../error-boundary.js';
import { startGeneration } from '../generation.js';
import { ACTION_CANCEL, ACTION_DELETE, ACTION_REROLL, OUTPUT_ACTION } from '../reply/reply-view.js';
import { failureText } from '../words.js';

function placeOf(body: BlockButtonAction): SlackPlace {
  return { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id, channelId: body.channel?.id ?? body.container.channel_id ?? '' };
}

/**
 * The buttons on a job's message. Every answer to the clicker is ephemeral (respond with
 * replace_original false), so a refusal never rewrites the shared message.
 */
export function registerJobButtons(app: App, deps: SlackFeatureDeps): void {
  const button = (actionId: string, run: (place: SlackPlace, jobId: string, tell: (text: string) => Promise<unknown>) => Promise<void>) =>
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const place = placeOf(body);
      const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      await withErrorBoundary(deps.log, { action: actionId, ...place }, tell, () => run(place, action.value ?? '', tell));
    });

  button(ACTION_CANCEL, async (place, jobId, tell) => {
    const said = await cancelJob(deps, place, jobId);
    if (said !== 'Cancelled.') await tell(said);
  });

  button(ACTION_REROLL, async (place, jobId, tell) => {
    await startGeneration(deps, place, { rerollOf: jobId }, { tell });
  });

  // V1…/U1…: the child job gets its own message in the channel, like Re-roll's.
  app.action<BlockButtonAction>(OUTPUT_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const place = placeOf(body);
    const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const [, which, output] = OUTPUT_ACTION.exec(action.action_id) ?? [];
    const request = { fromOutput: { jobId: action.value ?? '', relation: which === 'vary' ? ('variation' as const) : ('upscale' as const), output: Number(output) } };
    await withErrorBoundary(deps.log, { action: action.action_id, ...place }, tell, async () => {
      await startGeneration(deps, place, request, { tell });
    });
  });

  button(ACTION_DELETE, async (place, jobId, tell) => {
    const viewer = await deps.service.identify(await deps.actors.actor(place));
    const deleted = await deps.service.deleteOutputs(viewer, jobId);
    if (!deleted.ok) return void (await tell(failureText(deleted)));
    await deps.tracker.refresh(jobId);
    await tell(`Deleted ${deleted.value.deleted} file${deleted.value.deleted === 1 ? '' : 's'} from the gallery.`);
  });
}
