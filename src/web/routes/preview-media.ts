import type { FastifyInstance } from 'fastify';
import type { PreviewLinks } from '../../infra/links/preview-links.js';
import type { StoredPreview } from '../../infra/previews/preview-store.js';
import { errorBody } from '../http-errors.js';

export interface PreviewMediaDeps {
  links: PreviewLinks;
  previews: { get(jobId: string): Promise<StoredPreview | undefined> };
}

/**
 * A running job's live preview behind a signed link, never cached (the next one replaces it).
 * A link to an older preview answers the newest: chat platforms fetch a link some time after it
 * was rendered, and by then a newer picture is the better answer than a 404. Once the attempt
 * ended (the preview is gone) or before this preview exists, one 404 like the media route's.
 */
export function registerPreviewMedia(app: FastifyInstance, deps: PreviewMediaDeps): void {
  app.get<{ Params: { job: string; seq: string }; Querystring: { exp?: string; sig?: string } }>('/media/preview/:job/:seq', async (request, reply) => {
    const { job } = request.params;
    const seq = /^\d{1,9}$/.test(request.params.seq) ? Number(request.params.seq) : undefined;
    const notFound = () => reply.code(404).header('Cache-Control', 'no-store').send(errorBody('not_found', 'no such preview, or the link has expired'));
    if (seq === undefined || !deps.links.verify(job, seq, request.query.exp, request.query.sig)) return notFound();
    const preview = await deps.previews.get(job);
    if (!preview || preview.seq < seq) return notFound();
    const ext = preview.mime.split('/')[1]?.replace('jpeg', 'jpg') ?? 'bin';
    return reply
      .header('Cache-Control', 'no-store')
      .header('Content-Type', preview.mime)
      .header('Content-Disposition', `inline; filename="preview-${preview.seq}.${ext}"`)
      .send(preview.data);
  });
}
