import type { WebClient } from '@slack/web-api';
import { groupOutputs } from '../../../core/outputs.js';
import type { MediaStore } from '../../../core/ports.js';
import type { AssetRecord, JobRecord } from '../../../core/records.js';
import type { Logger } from '../../../shared/logger.js';
import type { MediaLinks } from '../../../infra/links/media-links.js';
import type { SlackReply, TokenSealer } from './reply-handle.js';

export interface FinalPostDeps {
  client: WebClient;
  /** A client that acts with a workflow execution's own token (what Bolt's complete() uses). */
  functionClient(token: string): WebClient;
  listAssets(jobId: string): Promise<AssetRecord[]>;
  media: MediaStore;
  links: MediaLinks;
  sealer: TokenSealer;
  /** The signed gallery link of the job's project (reply-view's replyProjectUrl). */
  projectUrl(job: JobRecord): string;
  log: Logger;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/webp': 'webp', 'image/jpeg': 'jpg', 'video/mp4': 'mp4', 'image/gif': 'gif' };

export async function originals(deps: FinalPostDeps, jobId: string): Promise<AssetRecord[]> {
  return groupOutputs(await deps.listAssets(jobId)).map((output) => output.original);
}

/** Uploads the job's images into the reply's thread (files.uploadV2: reserve, upload, complete). */
export async function uploadResult(deps: FinalPostDeps, job: JobRecord, reply: SlackReply, assets: AssetRecord[]): Promise<void> {
  if (!reply.ts || assets.length === 0) return;
  const files = await Promise.all(
    assets.map(async (asset) => ({
      file: await deps.media.read(asset.storageKey),
      filename: `${job.id}-${asset.outputIndex}.${EXTENSIONS[asset.mime] ?? 'bin'}`,
      // No user text in titles or comments: the recipe is in the message above.
      title: assets.length > 1 ? `Image ${asset.outputIndex + 1} of ${assets.length}` : 'Image',
    })),
  );
  await deps.client.filesUploadV2({
    channel_id: reply.channel,
    thread_ts: reply.ts,
    initial_comment: `Seed ${job.seed} · ${job.width}×${job.height}`,
    file_uploads: files,
  });
}

export type WorkflowResult = { ok: true; assets: AssetRecord[] } | { ok: false; reason: string };

/** functions.completeSuccess / completeError with the execution's token; a second call is a no-op. */
export async function completeWorkflow(deps: FinalPostDeps, job: JobRecord, reply: SlackReply, result: WorkflowResult): Promise<void> {
  const wait = reply.workflow;
  if (!wait) return;
  const token = deps.sealer.open(wait.sealedToken);
  if (!token) {
    deps.log.warn({ jobId: job.id }, 'workflow token could not be opened (APP_SECRET changed?)');
    return;
  }
  const client = deps.functionClient(token);
  try {
    if (result.ok) {
      const first = result.assets[0];
      await client.functions.completeSuccess({
        function_execution_id: wait.executionId,
        outputs: {
          image_url: first ? deps.links.url(first.id) : '',
          project_url: deps.projectUrl(job),
          job_id: job.id,
        },
      });
    } else {
      await client.functions.completeError({ function_execution_id: wait.executionId, error: result.reason });
    }
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    // Already completed (e.g. before a restart) or expired: nothing left to report.
    if (code === 'execution_not_in_running_state' || code === 'function_execution_not_found' || code === 'invalid_auth') return;
    throw error;
  }
}
