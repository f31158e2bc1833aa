/**
 * Wire helpers: reading bodies the way Slack's edge accepts them, and writing replies.
 * Multipart is parsed with the platform's own `Response.formData()` (undici), so the fake needs
 * no multipart dependency and parses exactly what `fetch` + `FormData` in the WebClient produce.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface ParsedBody {
  args: Record<string, unknown>;
  /** Binary parts of a multipart body (name, filename, bytes). */
  files: { name: string; filename: string; bytes: Buffer }[];
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export async function parseBody(req: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  const type = mediaType(req);
  if (type === 'application/json') {
    const value: unknown = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    return { args: typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}, files: [] };
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    const args: Record<string, unknown> = {};
    const files: ParsedBody['files'] = [];
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') args[name] = value;
      else files.push({ name, filename: value.name, bytes: Buffer.from(await value.arrayBuffer()) });
    }
    return { args, files };
  }
  // Slack's default and what the WebClient sends; repeated keys keep the last value.
  const parsed = parseQuery(raw.toString('utf8'));
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) args[key] = Array.isArray(value) ? value.at(-1) : value;
  return { args, files: [] };
}

export function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
