import type { types } from '@slack/bolt';
import { ordinal, progressBar } from '../../../core/job-message/bar.js';
import { buttons, isDeleted, isFinal, outputButtonLabel, outputButtons, type Button, type JobMessage, type OutputButton } from '../../../core/job-message/model.js';
import type { JobRecord } from '../../../core/records.js';
import type { Eta } from '../../../core/wait/estimate.js';
import { clip, escapeSlackText } from '../escape.js';
import { jobFailureText, qualityNoteText } from '../words.js';

export const ACTION_CANCEL = 'job_cancel';
export const ACTION_REROLL = 'job_reroll';
export const ACTION_DELETE = 'job_delete';

export interface RenderedReply {
  text: string;
  blocks: types.KnownBlock[];
}

/** Slack's date token shows each reader their own clock; the fallback (old clients, notifications) is UTC. */
function slackTime(ms: number): string {
  return `<!date^${Math.round(ms / 1000)}^{time}|${new Date(ms).toISOString().slice(11, 16)} UTC>`;
}

function waitText(eta: Eta | undefined): string {
  if (!eta) return '';
  return eta.approximate
    ? ` · expected start about ${slackTime(eta.startsAt)}, done around ${slackTime(eta.finishesAt)} (a first guess: no times measured yet)`
    : ` · expected start ${slackTime(eta.startsAt)}, done around ${slackTime(eta.finishesAt)}`;
}

function statusLine(m: JobMessage): string {
  switch (m.stage) {
    case 'queued':
      return `:hourglass_flowing_sand: Queued — ${ordinal(m.position ?? 1)} in line${waitText(m.eta)}`;
    case 'starting':
      return `:art: ${progressBar(0)} 0% · ${m.retryReason === 'worker_stopped' ? 'retrying after a worker stopped' : 'starting'}`;
    case 'running': {
      const step = m.step !== undefined && m.totalSteps ? ` (step ${m.step} of ${m.totalSteps})` : '';
      return `:art: ${progressBar(m.percent)} ${m.percent}% · ${escapeSlackText(m.activity || 'rendering')}${step}`;
    }
    case 'saving':
      return `:floppy_disk: ${progressBar(m.percent)} ${m.percent}% · saving`;
    case 'retrying':
      return m.retryReason === 'worker_stopped' ? ':repeat: Retrying after a worker stopped' : ':repeat: The backend stumbled; trying again shortly';
    case 'completed':
      return isDeleted(m) ? ':wastebasket: Done — the image was deleted' : `:white_check_mark: Done in ${((m.durationMs ?? 0) / 1000).toFixed(1)} s`;
    case 'failed':
      return `:x: ${jobFailureText(m.error)}`;
    case 'cancelled':
      return `:no_entry_sign: Cancelled${m.cancelledBy === 'moderator' ? ' by a moderator' : m.cancelledBy === 'system' ? ' by the service' : ''}`;
  }
}

const BUTTONS: Record<Button, { text: string; actionId: string; style: 'danger' | 'primary' }> = {
  cancel: { text: 'Cancel', actionId: ACTION_CANCEL, style: 'danger' },
  reroll: { text: 'Re-roll', actionId: ACTION_REROLL, style: 'primary' },
  delete: { text: 'Delete', actionId: ACTION_DELETE, style: 'danger' },
};

/** `job_vary_<n>` / `job_upscale_<n>`: action ids are unique within a block, so the output rides in the id. */
export const OUTPUT_ACTION = /^job_(vary|upscale)_(\d)$/;

function outputButton(which: OutputButton, jobId: string): types.Button {
  const actionId = `job_${which.action === 'variation' ? 'vary' : 'upscale'}_${which.output}`;
  return { type: 'button', text: { type: 'plain_text', text: outputButtonLabel(which) }, action_id: actionId, value: jobId };
}

function button(which: Button, jobId: string): types.Button {
  const { text, actionId, style } = BUTTONS[which];
  return { type: 'button', text: { type: 'plain_text', text }, action_id: actionId, value: jobId, style };
}

export interface ReplyLinks {
  project: string;
  /** A signed link to the job's live preview; absent when Slack could not fetch it (PUBLIC_URL not public, SLACK_PREVIEWS). */
  preview?: (jobId: string, seq: number) => string;
}

/** The one progress/result message of a job (Block Kit plus a notification-safe fallback text). */
export function renderReply(m: JobMessage, links: ReplyLinks): RenderedReply {
  const { job } = m;
  const prompt = clip(escapeSlackText(job.prompt), 2500);
  const status = statusLine(m);
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*Prompt:* ${prompt}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: status }] },
  ];
  // Slack fetches the picture from our link itself; the final message never carries it (its files come in the thread).
  if (m.preview && links.preview && !isFinal(m)) {
    blocks.push({ type: 'image', image_url: links.preview(job.jobId, m.preview.seq), alt_text: 'Live preview of the picture so far' });
  }
  if (m.stage === 'completed' && m.qualityNote && !isDeleted(m)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: ${qualityNoteText(m.qualityNote)}` }] });
  }
  if (m.stage === 'completed') {
    const negative = job.negative ? clip(escapeSlackText(job.negative), 900) : '—';
    blocks.push({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Seed*\n${m.seed ?? ''}` },
        { type: 'mrkdwn', text: `*Size*\n${job.width}×${job.height}${job.count > 1 ? ` ×${job.count}` : ''}` },
        { type: 'mrkdwn', text: `*Backend*\n${escapeSlackText(m.backend ?? 'unknown')}` },
        ...(job.model ? [{ type: 'mrkdwn' as const, text: `*Model*\n${escapeSlackText(job.model)}` }] : []),
        { type: 'mrkdwn', text: `*Time*\n${((m.durationMs ?? 0) / 1000).toFixed(1)} s` },
        { type: 'mrkdwn', text: `*Negative*\n${negative}` },
      ],
    });
  }
  if (isFinal(m)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Project: <${links.project}|${job.projectSlug}> · job \`${job.jobId}\`` }] });
    const perOutput = outputButtons(m);
    // V1 V2 … U1 U2 … in their own block (at most 8 of Slack's 25 elements), above Re-roll and Delete.
    if (perOutput.length > 0) blocks.push({ type: 'actions', block_id: 'job_outputs', elements: perOutput.map((b) => outputButton(b, job.jobId)) });
    blocks.push({ type: 'actions', block_id: 'job_final', elements: buttons(m).map((b) => button(b, job.jobId)) });
  } else {
    blocks.push({ type: 'actions', block_id: 'job_running', elements: buttons(m).map((b) => button(b, job.jobId)) });
  }
  const plainStatus = status.replace(/^:[a-z_]+: /, '');
  return { text: clip(`${plainStatus}: ${escapeSlackText(job.prompt)}`, 3000), blocks };
}

/**
 * The project link of a job's reply, a signed gallery link (GalleryLinks.url). The reply is seen by
 * the whole channel, so the pass names the job's author with the least role that can look
 * (viewer): a click never browses with a moderator's sight. Its clock is the job's own (finish,
 * else creation), so every rendering of one state is identical and edits are not re-sent for a
 * new expiry; the link lives 7 days from the finish, like the media links beside it.
 */
export function replyProjectUrl(
  links: { url(viewer: { spaceId: string; userId: string; role: 'viewer' }, slug: string, options: { now: number }): string },
  job: Pick<JobRecord, 'spaceId' | 'userId' | 'projectSlug' | 'createdAt' | 'finishedAt'>,
): string {
  const now = (job.finishedAt ?? job.createdAt).getTime();
  return links.url({ spaceId: job.spaceId, userId: job.userId, role: 'viewer' }, job.projectSlug, { now });
}
