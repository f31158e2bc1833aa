import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Reader } from '../../core/projects/types.js';
import { SESSION_TTL_SECONDS, type GalleryLinks } from '../../infra/links/gallery-links.js';

const COOKIE = 'ap_gallery';

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The request path without the `pass` parameter: where to send the browser once the cookie is set. */
export function withoutPass(url: string): string {
  const [path, search = ''] = url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(search);
  params.delete('pass');
  const rest = params.toString();
  return rest ? `${path}?${rest}` : path;
}

export type SessionResult = { kind: 'reader'; reader: Reader } | { kind: 'redirect'; to: string } | { kind: 'none' };

/**
 * Who is looking at `/gallery/<space>/...`: a `pass` in the link is traded for a cookie (and a
 * redirect that drops it from the address bar); otherwise the cookie. The cookie's path is this
 * space's gallery, so it is never sent anywhere else, not even to another space's pages.
 */
export function gallerySession(links: GalleryLinks, request: FastifyRequest, reply: FastifyReply, spaceId: string, secure: boolean): SessionResult {
  const passParam = (request.query as Record<string, unknown> | undefined)?.pass;
  if (typeof passParam === 'string') {
    const pass = links.verify(passParam);
    if (!pass || pass.spaceId !== spaceId) return { kind: 'none' };
    const expires = Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS;
    const session = links.sign({ spaceId: pass.spaceId, userId: pass.userId, role: pass.role, expires });
    const attributes = [`Path=/gallery/${spaceId}`, `Max-Age=${SESSION_TTL_SECONDS}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
    reply.header('Set-Cookie', `${COOKIE}=${session}; ${attributes.join('; ')}`);
    return { kind: 'redirect', to: withoutPass(request.url) };
  }
  const pass = links.verify(readCookie(request.headers.cookie, COOKIE));
  if (!pass || pass.spaceId !== spaceId) return { kind: 'none' };
  return { kind: 'reader', reader: { spaceId: pass.spaceId, userId: pass.userId, role: pass.role } };
}
