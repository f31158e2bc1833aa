import type { IncomingHttpHeaders } from 'node:http';
import { apiError } from './http.js';
import type { Json } from './types.js';

export interface UploadedFile {
  /** n of the `files[n]` part: the id the payload's `attachments` entries refer to. */
  index: number;
  field: string;
  filename: string;
  contentType: string | undefined;
  data: Buffer;
}

export interface ParsedBody {
  /** The JSON body (or payload_json): an object for most routes, an array for bulk command overwrite. */
  json: Json | unknown[] | undefined;
  files: UploadedFile[];
}

/**
 * JSON or multipart/form-data (payload_json + files[n]), the two body kinds discord.js sends.
 * Multipart goes through undici's own parser (Request.formData), so a malformed body fails as it would
 * on a strict server instead of being guessed at.
 */
export async function parseBody(headers: IncomingHttpHeaders, raw: Buffer): Promise<ParsedBody> {
  const type = headers['content-type'] ?? '';
  if (raw.length === 0) return { json: undefined, files: [] };
  if (type.startsWith('application/json')) {
    return { json: parseJson(raw.toString('utf8')), files: [] };
  }
  if (!type.startsWith('multipart/form-data')) {
    throw apiError(400, 50109, 'The request body contains invalid JSON.');
  }
  let form: FormData;
  try {
    form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
  } catch {
    throw apiError(400, 50035, 'Invalid Form Body');
  }
  let json: Json | unknown[] | undefined;
  const files: UploadedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (field === 'payload_json' && typeof value === 'string') {
      json = parseJson(value);
    } else if (typeof value !== 'string') {
      const index = /^files\[(\d+)\]$/.exec(field)?.[1];
      files.push({
        index: index === undefined ? files.length : Number(index),
        field,
        filename: value.name,
        contentType: value.type === '' ? undefined : value.type,
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
  }
  return { json, files };
}

function parseJson(text: string): Json | unknown[] {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object') return value as Json | unknown[];
  } catch {
    // fall through to Discord's answer for a body it cannot read
  }
  throw apiError(400, 50109, 'The request body contains invalid JSON.');
}
