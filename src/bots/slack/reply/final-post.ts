import type { WebClient } from '@slack/web-api';
import type { JobFacts, JobMessage } from '../../../core/job-message/model.js';
import type { MediaStore } from '../../../core/ports.js';
import type { Logger } from '../../../shared/logger.js';
import type { MediaLinks } from '../../../infra/links/media-links.js';
import { jobFailureText } from '../words.js';
import type { SlackReply, TokenSealer } from './reply-handle.js';

export interface FinalPostDeps {
  client: WebClient;
  /** A client that acts with a workflow execution's own token (what Bolt's complete() uses). */
  functionClient(token: string): WebClient;
  media: MediaStore;
  links: Pick<MediaLinks, 'url'>;
  sealer: TokenSealer;
  /** The signed gallery link of the job's project (reply-view's replyProjectUrl). */
  projectUrl(job: JobFacts): string;
  log: Logger;
  /** Files above this many bytes are linked (signed media URL) instead of uploaded; default SLACK_UPLOAD_LIMIT. */
  uploadLimit?: number;
}

/** Slack's own ceiling for one uploaded file (1 GB); a workspace may not want clips that big in threads either. */
export const SLACK_UPLOAD_LIMIT = 1_000_000_000;

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/webp': 'webp', 'image/jpeg': 'jpg', 'video/mp4': 'mp4', 'image/gif': 'gif' };

/**
 * Uploads the job's images and clips into the reply's thread (files.uploadV2: reserve, upload,
 * complete); a file over the upload limit is posted as its signed media link instead.
 */
export async function uploadResult(deps: FinalPostDeps, message: JobMessage, reply: SlackReply): Promise<void> {
  const all = message.outputs.flatMap((o) =>
    o.original.storageKey ? [{ index: o.index, assetId: o.original.assetId, mime: o.original.mime, bytes: o.original.bytes, storageKey: o.original.storageKey }] : [],
  );
  if (!reply.ts || all.length === 0) return;
  const limit = deps.uploadLimit ?? SLACK_UPLOAD_LIMIT;
  const originals = all.filter((file) => file.bytes <= limit);
  const linked = all.filter((file) => file.bytes > limit);
  const recipe = `Seed ${message.seed ?? ''} · ${message.job.width}×${message.job.height}`;
  if (linked.length > 0) {
    const lines = linked.map((file) => `<${deps.links.url(file.assetId)}|${file.mime.startsWith('video/') ? 'Clip' : 'Image'} ${file.index + 1}> (too large to upload here)`);
    await deps.client.chat.postMessage({ channel: reply.channel, thread_ts: reply.ts, text: `${recipe}\n${lines.join('\n')}`, unfurl_links: false, unfurl_media: false });
  }
  if (originals.length === 0) return;
  const files = await Promise.all(
    originals.map(async (file) => ({
      file: await deps.media.read(file.storageKey),
      filename: `${message.job.jobId}-${file.index}.${EXTENSIONS[file.mime] ?? 'bin'}`,
      // No user text in titles or comments: the recipe is in the message above.
      title: `${file.mime.startsWith('video/') ? 'Clip' : 'Image'}${originals.length > 1 ? ` ${file.index + 1} of ${originals.length}` : ''}`,
    })),
  );
  await deps.client.filesUploadV2({
    channel_id: reply.channel,
    thread_ts: reply.ts,
    initial_comment: recipe,
    file_uploads: files,
  });
}

/** functions.completeSuccess / completeError with the execution's token; a second call is a no-op. */
export async function completeWorkflow(deps: FinalPostDeps, message: JobMessage, reply: SlackReply): Promise<void> {
  const wait = reply.workflow;
  if (!wait) return;
  const token = deps.sealer.open(wait.sealedToken);
  if (!token) {
    deps.log.warn({ jobId: message.job.jobId }, 'workflow token could not be opened (APP_SECRET changed?)');
    return;
  }
  const client = deps.functionClient(token);
  try {
    if (message.stage === 'completed') {
      const first = message.outputs[0];
      await client.functions.completeSuccess({
        function_execution_id: wait.executionId,
        outputs: {
          image_url: first ? deps.links.url(first.original.assetId) : '',
          project_url: deps.projectUrl(message.job),
          job_id: message.job.jobId,
        },
      });
    } else {
      const reason = message.stage === 'cancelled' ? 'The image job was cancelled.' : jobFailureText(message.error);
      await client.functions.completeError({ function_execution_id: wait.executionId, error: reason });
    }
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    // Already completed (e.g. before a restart) or expired: nothing left to report.
    if (code === 'execution_not_in_running_state' || code === 'function_execution_not_found' || code === 'invalid_auth') return;
    throw error;
  }
}
