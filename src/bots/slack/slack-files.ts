import type { WebClient } from '@slack/web-api';
import type { Viewer } from '../../core/generate-service.js';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import { downloadLimited } from '../../infra/uploads/download.js';
import type { SlackFeatureDeps } from './deps.js';

/**
 * A file a user gave us in Slack (a form's file input): files.info for its url_private,
 * downloaded with the bot token (size cap, timeout), then the same intake as POST /api/uploads.
 * Answers the upload's id; a refusal names `field`.
 */
export async function uploadFromSlackFile(deps: SlackFeatureDeps, client: WebClient, viewer: Viewer, fileId: string, field: string): Promise<Outcome<string>> {
  const info = await client.files.info({ file: fileId });
  const url = info.file?.url_private_download ?? info.file?.url_private;
  if (!url) return fail({ reason: 'image_refused', field, why: 'missing' });
  const bytes = await downloadLimited(url, field, { ...deps.uploadDownload, headers: { authorization: `Bearer ${client.token ?? ''}` } });
  if (!bytes.ok) return bytes;
  const stored = await deps.uploads.receive(viewer, bytes.value);
  return stored.ok ? ok(stored.value.id) : { ...stored, field, ...(stored.problem && 'field' in stored.problem ? { problem: { ...stored.problem, field } } : {}) };
}
