import { createHmac, timingSafeEqual } from 'node:crypto';
import { UUID_PATTERN } from '../../core/ids.js';
import type { Reader } from '../../core/projects/types.js';
import { readerOf, type ViewerOrReader } from '../../core/projects/visibility.js';
import { isRole } from '../../core/roles.js';
import { deriveKey } from '../tokens.js';

/** How long a link in a bot reply opens the gallery; as long as the media links in the same reply. */
const REPLY_LINK_TTL_SECONDS = 7 * 24 * 3600;
/** A /gallery command or POST /api/gallery-link: short-lived, since it is asked for on the spot. */
export const SHORT_LINK_TTL_SECONDS = 3600;
/** How long the cookie a link sets keeps the browser signed in to that space's gallery. */
export const SESSION_TTL_SECONDS = 12 * 3600;

export interface GalleryPass extends Reader {
  /** Unix seconds. */
  expires: number;
}

const PASS = new RegExp(`^v1\\.(${UUID_PATTERN})\\.(${UUID_PATTERN})\\.([a-z]{1,16})\\.(\\d{1,12})\\.([A-Za-z0-9_-]{43})$`);

/**
 * Signed gallery passes: `v1.<space>.<user>.<role>.<expires>.<hmac>`, HMAC-SHA256 with a key derived
 * from APP_SECRET for this purpose only. A pass in a link is traded for the same kind of pass in an
 * HttpOnly cookie scoped to that space's gallery path, so the link's token leaves the address bar.
 * The role is the one the user had when the link was made (chat roles cannot be looked up from the web).
 */
export class GalleryLinks {
  private readonly key: Buffer;

  constructor(
    appSecret: string,
    private readonly publicUrl: string,
  ) {
    this.key = Buffer.from(deriveKey(appSecret, 'gallery-pass'));
  }

  /**
   * THE project link for chat replies: opens the space's gallery (or one project's page) signed in
   * as this viewer. `viewer` is what GenerateService.identify(actor) returns.
   */
  url(viewer: ViewerOrReader, projectSlug?: string, options: { ttlSeconds?: number; now?: number } = {}): string {
    return this.link(viewer, projectSlug ? `/p/${encodeURIComponent(projectSlug)}` : '', options).url;
  }

  /** An image page link, signed the same way. */
  imageUrl(viewer: ViewerOrReader, jobId: string, options: { ttlSeconds?: number; now?: number } = {}): string {
    return this.link(viewer, `/i/${encodeURIComponent(jobId)}`, options).url;
  }

  link(viewer: ViewerOrReader, subpath: string, options: { ttlSeconds?: number; now?: number } = {}): { url: string; expiresAt: Date } {
    const reader = readerOf(viewer);
    const expires = Math.floor((options.now ?? Date.now()) / 1000) + (options.ttlSeconds ?? REPLY_LINK_TTL_SECONDS);
    const pass = this.sign({ ...reader, expires });
    return { url: `${this.spaceUrl(reader.spaceId)}${subpath}?pass=${pass}`, expiresAt: new Date(expires * 1000) };
  }

  /** The unguessable link of a public project (no pass needed). */
  publicProjectUrl(publicToken: string): string {
    return `${this.publicUrl}/gallery/public/${encodeURIComponent(publicToken)}`;
  }

  spaceUrl(spaceId: string): string {
    return `${this.publicUrl}/gallery/${spaceId}`;
  }

  sign(pass: GalleryPass): string {
    const body = `v1.${pass.spaceId}.${pass.userId}.${pass.role}.${pass.expires}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The pass, when well-formed, correctly signed and not expired; otherwise null (never says why). */
  verify(token: string | undefined, now = Date.now()): GalleryPass | null {
    const match = token && token.length < 200 ? PASS.exec(token) : null;
    if (!match) return null;
    const [, spaceId, userId, role, expires, sig] = match;
    const expected = Buffer.from(this.mac(`v1.${spaceId}.${userId}.${role}.${expires}`));
    const given = Buffer.from(sig!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    if (!isRole(role) || Number(expires) * 1000 <= now) return null;
    return { spaceId: spaceId!, userId: userId!, role, expires: Number(expires) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
