import type { App } from '@slack/bolt';
import type { JobRecord } from '../../../core/records.js';
import type { SlackFeatureDeps } from '../deps.js';
import { clip, escapeSlackText } from '../escape.js';
import { ephemeralCommand, unwrap } from './ephemeral-command.js';

function line(job: JobRecord, showOwner: boolean): string {
  const progress = job.status === 'running' ? ` ${job.progress}%` : '';
  // The owner's id, not a <@…> mention: a list should never notify anyone.
  const owner = showOwner ? ` · user \`${escapeSlackText(job.userExternalId)}\`` : '';
  return `• \`${job.id}\` *${job.status}*${progress}${owner} — ${clip(escapeSlackText(job.promptSent), 80)}`;
}

/** `/jobs` lists your recent jobs; `/jobs all` lists the workspace's (moderators). */
export function registerJobsCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/jobs', ephemeralCommand(deps, '/jobs', async ({ text, viewer }) => {
    const scope = text.toLowerCase() === 'all' ? 'space' : 'mine';
    const listed = unwrap(await deps.service.listJobs(await viewer(), scope, undefined, 10));
    if (listed.length === 0) return scope === 'mine' ? 'You have no jobs yet. Try `/generate a cat in the rain`.' : 'No jobs in this workspace yet.';
    const heading = scope === 'mine' ? '*Your recent jobs*' : '*Recent jobs in this workspace*';
    return [heading, ...listed.map((job) => line(job, scope === 'space')), 'Cancel one with `/cancel <job id>`.'].join('\n');
  }));
}
