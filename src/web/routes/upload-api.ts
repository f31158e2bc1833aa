import type { FastifyInstance } from 'fastify';
import type { UploadService } from '../../core/uploads/upload-service.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { errorBody, sendFailure } from '../http-errors.js';

export interface UploadApiDeps extends AuthDeps {
  uploads: UploadService;
  /** UPLOAD_MAX_BYTES: the picture itself; the request may carry a little more (the multipart framing). */
  maxBytes: number;
}

/** Room for multipart boundaries and part headers beyond the picture, so a file just over the limit gets the intake's words. */
const FRAMING_ALLOWANCE = 64 * 1024;

const MULTIPART_ONLY = 'send the picture as multipart/form-data with one file in the field "file"';

/**
 * POST /api/uploads (multipart, field `file`) -> 201 {asset_id, mime, width, height, bytes}. The
 * body is parsed by the platform's own FormData reader (undici, built into Node), in a scope of its
 * own so the rest of the API keeps its JSON-only parsing and 64 KB limit.
 */
export async function registerUploadApi(app: FastifyInstance, deps: UploadApiDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Every type reaches the route as bytes, so a wrong one gets this route's own words.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBytes + FRAMING_ALLOWANCE }, (_request, body, done) => done(null, body));

    scope.post('/api/uploads', async (request, reply) => {
      const auth = await authenticate(deps, request, reply);
      if (!auth) return reply;
      const type = request.headers['content-type'] ?? '';
      if (!/^multipart\/form-data\s*;/i.test(type) || !Buffer.isBuffer(request.body)) {
        return reply.code(415).send(errorBody('unsupported_media_type', MULTIPART_ONLY));
      }
      let file: ReturnType<FormData["get"]>;
      try {
        file = (await new Response(request.body, { headers: { 'content-type': type } }).formData()).get('file');
      } catch {
        return reply.code(400).send(errorBody('invalid_request', `the multipart body could not be read; ${MULTIPART_ONLY}`));
      }
      if (typeof file === 'string' || file === null) return reply.code(400).send(errorBody('invalid_input', MULTIPART_ONLY, { field: 'file' }));
      const received = await deps.uploads.receive(auth.viewer, Buffer.from(await file.arrayBuffer()));
      if (!received.ok) return sendFailure(reply, received);
      const upload = received.value;
      return reply.code(201).send({ asset_id: upload.id, mime: upload.mime, width: upload.width, height: upload.height, bytes: upload.bytes });
    });
  });
}
