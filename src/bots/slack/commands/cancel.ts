import type { App } from '@slack/bolt';
import { isUuid } from '../../../core/ids.js';
import type { SlackFeatureDeps, SlackPlace } from '../deps.js';
import { UserMistake } from '../error-boundary.js';
import { failureText } from '../words.js';
import { ephemeralCommand } from './ephemeral-command.js';

/** Cancels a job for the author or a moderator; the job's own message then shows "Cancelled". */
export async function cancelJob(deps: SlackFeatureDeps, place: SlackPlace, jobId: string): Promise<string> {
  const viewer = await deps.service.identify(await deps.actors.actor(place));
  const cancelled = await deps.service.cancel(viewer, jobId);
  return cancelled.ok ? 'Cancelled.' : failureText(cancelled);
}

/** `/cancel <job id>` (ids are listed by /jobs). */
export function registerCancelCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/cancel', ephemeralCommand(deps, '/cancel', async ({ text, place }) => {
    const jobId = text.replace(/^`|`$/g, '');
    if (!isUuid(jobId)) throw new UserMistake('Usage: `/cancel <job id>`. `/jobs` lists your jobs with their ids.');
    return cancelJob(deps, place, jobId);
  }));
}
