import type { App } from '@slack/bolt';
import type { JobRecord } from '../../../core/records.js';
import type { SlackFeatureDeps } from '../deps.js';
import { withErrorBoundary } from '../error-boundary.js';
import { clip, escapeSlackText } from '../escape.js';
import { failureText } from '../words.js';

function line(job: JobRecord, showOwner: boolean): string {
  const progress = job.status === 'running' ? ` ${job.progress}%` : '';
  // The owner's id, not a <@…> mention: a list should never notify anyone.
  const owner = showOwner ? ` · user \`${escapeSlackText(job.userExternalId)}\`` : '';
  return `• \`${job.id}\` *${job.status}*${progress}${owner} — ${clip(escapeSlackText(job.promptSent), 80)}`;
}

/** `/jobs` lists your recent jobs; `/jobs all` lists the workspace's (moderators). */
export function registerJobsCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/jobs', async ({ command, ack, respond }) => {
    await ack();
    const place = { teamId: command.team_id, userId: command.user_id, channelId: command.channel_id };
    const tell = (text: string) => respond({ response_type: 'ephemeral', text });
    await withErrorBoundary(deps.log, { command: '/jobs', ...place }, tell, async () => {
      const scope = command.text.trim().toLowerCase() === 'all' ? 'space' : 'mine';
      const viewer = await deps.service.identify(await deps.actors.actor(place));
      const listed = await deps.service.listJobs(viewer, scope, undefined, 10);
      if (!listed.ok) return void (await tell(failureText(listed)));
      if (listed.value.length === 0) return void (await tell(scope === 'mine' ? 'You have no jobs yet. Try `/generate a cat in the rain`.' : 'No jobs in this workspace yet.'));
      const heading = scope === 'mine' ? '*Your recent jobs*' : '*Recent jobs in this workspace*';
      await tell([heading, ...listed.value.map((job) => line(job, scope === 'space')), 'Cancel one with `/cancel <job id>`.'].join('\n'));
    });
  });
}
