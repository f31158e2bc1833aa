import type { App } from '@slack/bolt';
import type { SlackFeatureDeps, SlackPlace } from '../deps.js';
import { withErrorBoundary, UserMistake } from '../error-boundary.js';
import { failureText } from '../words.js';

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Cancels a job for the author or a moderator; the job's own message then shows "Cancelled". */
export async function cancelJob(deps: SlackFeatureDeps, place: SlackPlace, jobId: string): Promise<string> {
  const viewer = await deps.service.identify(await deps.actors.actor(place));
  const cancelled = await deps.service.cancel(viewer, jobId);
  return cancelled.ok ? 'Cancelled.' : failureText(cancelled);
}

/** `/cancel <job id>` (ids are listed by /jobs). */
export function registerCancelCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/cancel', async ({ command, ack, respond }) => {
    await ack();
    const place = { teamId: command.team_id, userId: command.user_id, channelId: command.channel_id };
    const tell = (text: string) => respond({ response_type: 'ephemeral', text });
    await withErrorBoundary(deps.log, { command: '/cancel', ...place }, tell, async () => {
      const jobId = command.text.trim().replace(/^`|`$/g, '');
      if (!JOB_ID.test(jobId)) throw new UserMistake('Usage: `/cancel <job id>`. `/jobs` lists your jobs with their ids.');
      await tell(await cancelJob(deps, place, jobId));
    });
  });
}
