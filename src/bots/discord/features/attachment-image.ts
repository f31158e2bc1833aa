import type { Viewer } from '../../../core/generate-service.js';
import { fail, ok, type Failure, type Outcome } from '../../../core/outcome.js';
import { downloadLimited } from '../../../infra/uploads/download.js';
import type { BotContext } from '../context.js';

/** An intake refusal names the `image` option in the framing, so its sentence names no field (the intake's say `file`). */
function asImageOption(failure: Failure): Failure {
  const problem = failure.problem?.reason === 'image_refused' ? { problem: { ...failure.problem, field: '' } } : {};
  return { ...failure, field: 'image', ...problem };
}

/**
 * An `image` option's attachment, fetched from Discord's CDN (size capped, timed out) and checked
 * by the same intake as POST /api/uploads: its upload id in the asker's space.
 */
export async function storeAttachment(ctx: BotContext, attachment: { url: string; size: number }, viewer: Viewer): Promise<Outcome<string>> {
  const { maxBytes, timeoutMs } = ctx.uploadDownload;
  if (attachment.size > maxBytes) return asImageOption(fail({ reason: 'image_refused', field: '', why: 'too_large', maxBytes }, { reason: 'image_too_large' }));
  const bytes = await downloadLimited(attachment.url, 'image', { maxBytes, timeoutMs });
  if (!bytes.ok) return asImageOption(bytes);
  const stored = await ctx.uploads.receive(viewer, bytes.value);
  return stored.ok ? ok(stored.value.id) : asImageOption(stored);
}
