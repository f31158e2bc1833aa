import { isFinal } from '../../../core/job-message/model.js';
import type { LivePort } from '../../../core/job-message/port.js';
import { completeWorkflow, uploadResult, type FinalPostDeps } from './final-post.js';
import { readSlackReply, type SlackReply } from './reply-handle.js';
import { renderReply, type RenderedReply } from './reply-view.js';
import type { WorkspaceLimiter } from './workspace-limiter.js';

export interface SlackPortDeps extends FinalPostDeps {
  setReply(jobId: string, reply: SlackReply): Promise<void>;
  limiter: WorkspaceLimiter;
  /** Least time between two edits of one message (Slack asks for about one a second). */
  minEditIntervalMs: number;
  /** Signed links to live previews, when Slack can fetch them (see SLACK_PREVIEWS); absent: no previews. */
  previewUrl?: (jobId: string, seq: number) => string;
}

/** Slack's side of the live message: chat.postMessage / chat.update under the workspace budget. */
export function slackPort(deps: SlackPortDeps): LivePort<SlackReply, RenderedReply> {
  return {
    platform: 'slack',
    intervalMs: deps.minEditIntervalMs,
    render: (message) => renderReply(message, { project: deps.projectUrl(message.job), ...(deps.previewUrl ? { preview: deps.previewUrl } : {}) }),
    readHandle: readSlackReply,
    hasMessage: (reply) => reply.ts !== undefined,
    async post(reply, rendered) {
      const posted = await deps.client.chat.postMessage({ channel: reply.channel, text: rendered.text, blocks: rendered.blocks });
      return { ...reply, ts: posted.ts as string };
    },
    async edit(reply, rendered, { final }) {
      await deps.limiter.schedule(reply.teamId, final ? 'final' : 'progress', () =>
        deps.client.chat.update({ channel: reply.channel, ts: reply.ts!, text: rendered.text, blocks: rendered.blocks }),
      );
    },
    async finish(reply, message) {
      if (!isFinal(message)) return;
      if (message.stage === 'completed') await uploadResult(deps, message, reply);
      await completeWorkflow(deps, message, reply);
    },
    classify: (error) => ((error as { data?: { error?: string } }).data?.error === 'message_not_found' ? 'gone' : 'retry'),
    save: (jobId, reply) => deps.setReply(jobId, reply),
  };
}
