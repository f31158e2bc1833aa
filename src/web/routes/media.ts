import type { FastifyInstance } from 'fastify';
import type { MediaStore } from '../../core/ports.js';
import type { AssetRecord } from '../../core/records.js';
import { errorBody } from '../http-errors.js';
import type { MediaLinks } from '../../infra/links/media-links.js';

export interface MediaDeps {
  links: MediaLinks;
  store: MediaStore;
  getAsset(assetId: string): Promise<AssetRecord | null>;
}

/** The file's bytes, or null when it is not there (any other failure is a real error). */
async function readIfPresent(store: MediaStore, key: string): Promise<Buffer | null> {
  try {
    return await store.read(key);
  } catch (error) {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/** Files by asset id behind a signed link. One 404 for "no such file" and "link not valid". */
export function registerMedia(app: FastifyInstance, deps: MediaDeps): void {
  app.get<{ Params: { id: string }; Querystring: { exp?: string; sig?: string } }>('/media/:id', async (request, reply) => {
    const { id } = request.params;
    const notFound = () => reply.code(404).send(errorBody('not_found', 'no such file, or the link has expired'));
    if (!deps.links.verify(id, request.query.exp, request.query.sig)) return notFound();
    const asset = await deps.getAsset(id);
    if (!asset) return notFound();
    const etag = `"${asset.sha256}"`;
    const cached = () => reply.header('ETag', etag).header('Cache-Control', 'private, max-age=86400, immutable');
    if (request.headers['if-none-match'] === etag) return cached().code(304).send();
    const data = await readIfPresent(deps.store, asset.storageKey);
    if (!data) {
      // The row outlived its file (removed by hand, a lost volume): a 404 for the user, a warning for operators.
      request.log.warn({ assetId: asset.id }, 'media file missing for an existing asset');
      return notFound();
    }
    const ext = asset.mime.split('/')[1]?.replace('jpeg', 'jpg') ?? 'bin';
    return cached()
      .header('Content-Type', asset.mime)
      .header('Content-Disposition', `inline; filename="${asset.id}.${ext}"`)
      .send(data);
  });
}
