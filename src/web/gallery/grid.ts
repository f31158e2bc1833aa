import type { GalleryItem, GalleryPage } from '../../core/gallery/types.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import { html, query, type Html } from './html.js';

export interface GridContext {
  media: MediaLinks;
  /** Base of image page links: `/gallery/<space>` or `/gallery/public/<token>`. */
  base: string;
  /** Show the project name on each tile (search results span projects). */
  showProject?: boolean;
}

const DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

export function formatDate(date: Date): string {
  return DATE.format(date);
}

function tile(item: GalleryItem, context: GridContext): Html {
  const alt = item.prompt.length > 120 ? `${item.prompt.slice(0, 117)}...` : item.prompt;
  return html`<li class="tile">
  <a href="${context.base}/i/${item.jobId}">
    <img src="${context.media.url(item.thumbnailAssetId)}" alt="${alt}" loading="lazy" decoding="async" width="256" height="256">
    ${item.outputs > 1 ? html`<span class="badge">×${item.outputs}</span>` : ''}
    ${item.kind === 'video' ? html`<span class="badge video">clip</span>` : ''}
  </a>
  <p class="caption">${alt}</p>
  <p class="meta">${item.characterNames.length > 0 ? html`<strong>${item.characterNames.join(', ')}</strong> · ` : ''}${item.author.displayName || item.author.externalId} · ${formatDate(item.createdAt)}${context.showProject ? html` · ${item.projectName}` : ''}</p>
</li>`;
}

/** A thumbnail grid and an "Older" link carrying the keyset cursor (plus the page's own filters). */
export function grid(page: GalleryPage, context: GridContext, pageParams: Record<string, string | undefined> = {}): Html {
  if (page.items.length === 0) return html`<p class="empty">No images here yet.</p>`;
  return html`<ul class="grid">
${page.items.map((item) => tile(item, context))}
</ul>
${page.nextCursor ? html`<nav class="pager"><a class="button" rel="next" href="${query({ ...pageParams, cursor: page.nextCursor })}">Older images</a></nav>` : ''}`;
}
