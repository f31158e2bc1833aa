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

/**
 * One `bytes=` range of a file of `size` bytes (RFC 9110 14.1.2): start-end, start-, or -suffix.
 * Undefined: no usable Range header (serve the whole file); 'unsatisfiable': a range past the end.
 * Several ranges are served whole: browsers' video players ask for one.
 */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
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
    cached().header('Content-Type', asset.mime).header('Content-Disposition', `inline; filename="${asset.id}.${ext}"`).header('Accept-Ranges', 'bytes');
    // Video players seek with Range requests; a stale If-Range (another version) gets the whole file.
    const ifRange = request.headers['if-range'];
    const range = ifRange === undefined || ifRange === etag ? byteRange(request.headers.range, data.length) : undefined;
    if (range === 'unsatisfiable') return reply.code(416).header('Content-Range', `bytes */${data.length}`).send();
    if (range) return reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${data.length}`).send(data.subarray(range.start, range.end + 1));
    return reply.send(data);
  });
}
