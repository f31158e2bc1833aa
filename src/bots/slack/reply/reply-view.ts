import type { types } from '@slack/bolt';
import type { JobRecord } from '../../../core/records.js';
import { clip, escapeSlackText } from '../escape.js';
import { jobFailureText } from '../words.js';

export const ACTION_CANCEL = 'job_cancel';
export const ACTION_REROLL = 'job_reroll';
export const ACTION_DELETE = 'job_delete';

/** What the reply shows; built from job events or, after a restart, from the record. */
export type ReplyState =
  | { kind: 'queued'; position: number }
  | { kind: 'running'; percent: number; stage: string; step?: number; totalSteps?: number }
  | { kind: 'saving'; percent: number }
  | { kind: 'retrying'; reason?: 'worker_stopped' }
  | { kind: 'completed'; durationMs: number; backend: string; seed: number; images: number; deleted?: boolean }
  | { kind: 'failed'; message: string | null; ref: string | null }
  | { kind: 'cancelled'; by: string };

export function isFinalState(state: ReplyState): boolean {
  return state.kind === 'completed' || state.kind === 'failed' || state.kind === 'cancelled';
}

export interface RenderedReply {
  text: string;
  blocks: types.KnownBlock[];
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

export function progressBar(percent: number, cells = 10): string {
  const filled = Math.max(0, Math.min(cells, Math.round((percent / 100) * cells)));
  return `${'█'.repeat(filled)}${'░'.repeat(cells - filled)} ${Math.round(percent)}%`;
}

function statusLine(state: ReplyState): string {
  switch (state.kind) {
    case 'queued':
      return `:hourglass_flowing_sand: Queued — ${ordinal(Math.max(1, state.position))} in line`;
    case 'running': {
      const step = state.step !== undefined && state.totalSteps ? ` (step ${state.step} of ${state.totalSteps})` : '';
      return `:art: ${progressBar(state.percent)} · ${escapeSlackText(state.stage || 'rendering')}${step}`;
    }
    case 'saving':
      return `:floppy_disk: ${progressBar(state.percent)} · saving`;
    case 'retrying':
      return state.reason === 'worker_stopped' ? ':repeat: Retrying after a worker stopped' : ':repeat: The backend stumbled; trying again shortly';
    case 'completed':
      return state.deleted ? ':wastebasket: Done — the image was deleted' : `:white_check_mark: Done in ${(state.durationMs / 1000).toFixed(1)} s`;
    case 'failed':
      return `:x: ${jobFailureText(state.message, state.ref)}`;
    case 'cancelled':
      return `:no_entry_sign: Cancelled${state.by === 'moderator' ? ' by a moderator' : state.by === 'system' ? ' by the service' : ''}`;
  }
}

function button(text: string, actionId: string, jobId: string, style?: 'danger' | 'primary'): types.Button {
  return { type: 'button', text: { type: 'plain_text', text }, action_id: actionId, value: jobId, ...(style ? { style } : {}) };
}

/** The one progress/result message of a job (Block Kit plus a notification-safe fallback text). */
export function renderReply(job: JobRecord, state: ReplyState, links: { project: string }): RenderedReply {
  const prompt = clip(escapeSlackText(job.promptSent), 2500);
  const status = statusLine(state);
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*Prompt:* ${prompt}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: status }] },
  ];
  if (state.kind === 'completed') {
    const negative = job.negativeSent ? clip(escapeSlackText(job.negativeSent), 900) : '—';
    blocks.push({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Seed*\n${state.seed}` },
        { type: 'mrkdwn', text: `*Size*\n${job.width}×${job.height}${job.count > 1 ? ` ×${job.count}` : ''}` },
        { type: 'mrkdwn', text: `*Backend*\n${escapeSlackText(state.backend)}` },
        { type: 'mrkdwn', text: `*Time*\n${(state.durationMs / 1000).toFixed(1)} s` },
        { type: 'mrkdwn', text: `*Negative*\n${negative}` },
      ],
    });
  }
  if (isFinalState(state)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Project: <${links.project}|${job.projectSlug}> · job \`${job.id}\`` }] });
    const buttons = [button('Re-roll', ACTION_REROLL, job.id, 'primary')];
    if (state.kind === 'completed' && !state.deleted) buttons.push(button('Delete', ACTION_DELETE, job.id, 'danger'));
    blocks.push({ type: 'actions', block_id: 'job_final', elements: buttons });
  } else {
    blocks.push({ type: 'actions', block_id: 'job_running', elements: [button('Cancel', ACTION_CANCEL, job.id, 'danger')] });
  }
  const plainStatus = status.replace(/^:[a-z_]+: /, '');
  return { text: clip(`${plainStatus}: ${escapeSlackText(job.promptSent)}`, 3000), blocks };
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
