import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Json } from './types.js';
import type { UploadedFile } from './multipart.js';

/** A Discord JSON error; thrown by handlers and turned into the response Discord would send. */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

export function apiError(status: number, code: number, message: string, errors?: Json): DiscordHttpError {
  return new DiscordHttpError(status, errors ? { message, code, errors } : { message, code });
}

export const Errors = {
  unauthorized: () => apiError(401, 0, '401: Unauthorized'),
  invalidWebhookToken: () => apiError(401, 50027, 'Invalid Webhook Token'),
  unknownInteraction: () => apiError(404, 10062, 'Unknown interaction'),
  alreadyAcknowledged: () => apiError(400, 40060, 'Interaction has already been acknowledged.'),
  unknownMessage: () => apiError(404, 10008, 'Unknown Message'),
  unknownChannel: () => apiError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => apiError(404, 10004, 'Unknown Guild'),
  unknownMember: () => apiError(404, 10007, 'Unknown Member'),
  unknownWebhook: () => apiError(404, 10015, 'Unknown Webhook'),
  emptyMessage: () => apiError(400, 50006, 'Cannot send an empty message'),
  tooLarge: () => apiError(413, 40005, 'Request entity too large'),
  notFound: () => apiError(404, 0, '404: Not Found'),
  methodNotAllowed: () => apiError(405, 0, '405: Method Not Allowed'),
};

/** Discord's 50035 body: errors nested by field path, each leaf carrying `_errors`. */
export function invalidFormBody(path: (string | number)[], code: string, message: string): DiscordHttpError {
  let errors: Json = { _errors: [{ code, message }] };
  for (const key of [...path].reverse()) errors = { [String(key)]: errors };
  return apiError(400, 50035, 'Invalid Form Body', errors);
}

export function send(
  res: ServerResponse,
  status: number,
  body: Json | unknown[] | undefined,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  // discord.js only parses JSON when Content-Type starts with application/json (parseResponse).
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Matches `/channels/:channel/messages/:message` style patterns; returns the named params. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of want.entries()) {
    const actual = got[i] ?? '';
    if (seg.startsWith(':')) {
      if (actual === '') return undefined;
      params[seg.slice(1)] = actual;
    } else if (seg !== actual) {
      return undefined;
    }
  }
  return params;
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Object body (undefined for none or an array). */
  json: Json | undefined;
  /** Array body (bulk command overwrite). */
  list: unknown[] | undefined;
  files: UploadedFile[];
}

export interface RouteResult {
  status: number;
  body?: Json | unknown[];
  /** Raw bytes (attachment downloads); sent with this content type. */
  raw?: { data: Buffer; contentType: string };
}

export interface Route<D> {
  method: string;
  /** Path below /api/v10 with :params; the template doubles as the rate-limit route. */
  pattern: string;
  /** true: `Authorization: Bot <token>` required (interaction webhooks and callbacks use none). */
  auth: boolean;
  /** false for routes Discord does not bucket for us (the interaction callback). */
  limited: boolean;
  /** The top-level resource that splits buckets (channel, guild, webhook id + token). */
  major: (params: Record<string, string>) => string;
  handle: (req: RouteRequest, deps: D) => Promise<RouteResult> | RouteResult;
}
