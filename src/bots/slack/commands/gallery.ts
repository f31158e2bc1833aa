import type { App } from '@slack/bolt';
import type { GalleryItem, GalleryPage } from '../../../core/gallery/types.js';
import type { Viewer } from '../../../core/generate-service.js';
import { SHORT_LINK_TTL_SECONDS } from '../../../infra/links/gallery-links.js';
import { parseCommandFlags } from '../flags.js';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake } from '../error-boundary.js';
import { clip, escapeSlackText } from '../escape.js';
import { ephemeralCommand, grammarMistake, unwrap } from './ephemeral-command.js';

const HISTORY_USAGE = '/history [@user] [project]';
const SEARCH_USAGE = '/search <text> [--character <name>] [--user @user] [--project <slug>] [--kind image|video]';
/** A chat answer lists this many; the gallery link beneath opens the rest. */
const SHOWN = 10;
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A user as Slack escapes it (`<@U123|name>`, the manifest sets should_escape) or a bare id. */
function readUser(word: string): string | undefined {
  return (/^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word) ?? /^([UW][A-Z0-9]{2,})$/.exec(word))?.[1];
}

/** should_escape also turns &, < and > into entities; search wants the words as typed. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function itemLine(deps: SlackFeatureDeps, viewer: Viewer, item: GalleryItem): string {
  const label = clip(escapeSlackText(item.prompt), 90) || 'image';
  const cast = item.characterNames.length ? ` · ${item.characterNames.map((n) => escapeSlackText(n)).join(', ')}` : '';
  // The author by name, never as <@U…>: a listing must not notify anyone.
  const author = escapeSlackText(item.author.displayName || item.author.externalId);
  return `• <${deps.galleryLinks.imageUrl(viewer, item.jobId)}|${label}> — \`${item.projectSlug}\` · ${author} · ${item.createdAt.toISOString().slice(0, 10)}${cast}`;
}

function pageText(deps: SlackFeatureDeps, viewer: Viewer, heading: string, page: GalleryPage, project?: string): string {
  if (page.items.length === 0) return `${heading}: nothing found.`;
  const more = page.items.length > SHOWN || page.nextCursor ? 'More in the gallery' : 'Open the gallery';
  return [
    `*${heading}*`,
    ...page.items.slice(0, SHOWN).map((item) => itemLine(deps, viewer, item)),
    `<${deps.galleryLinks.url(viewer, project)}|${more}>`,
  ].join('\n');
}

/** `/history`, `/search` and `/gallery`: reads that follow the space's visibility (the core filters). */
export function registerGalleryCommands(app: App, deps: SlackFeatureDeps): void {
  app.command('/history', ephemeralCommand(deps, '/history', async ({ text, viewer }) => {
    const query: { user?: string; project?: string } = {};
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const user = readUser(word);
      if (user && !query.user) query.user = user;
      else if (SLUG.test(word) && !query.project) query.project = word;
      else throw new UserMistake(escapeSlackText(`"${unescapeSlack(word).slice(0, 30)}" is neither a @user nor a project slug. Usage: ${HISTORY_USAGE}`));
    }
    const v = await viewer();
    const page = unwrap(await deps.gallery.history(v, query));
    const whose = [query.user ? `by \`${query.user}\`` : '', query.project ? `in \`${query.project}\`` : ''].filter(Boolean).join(' ');
    return pageText(deps, v, `Latest images${whose ? ` ${whose}` : ''}`, page, query.project);
  }));

  app.command('/search', ephemeralCommand(deps, '/search', async ({ text, viewer }) => {
    const parsed = parseCommandFlags(text, ['character', 'user', 'project', 'kind']);
    if (!parsed.ok) throw grammarMistake(parsed.error, SEARCH_USAGE);
    const { flags } = parsed;
    const query: { text?: string; character?: string; user?: string; project?: string; kind?: 'image' | 'video' } = {};
    const words = unescapeSlack(parsed.positional.join(' '));
    if (words) query.text = words;
    if (flags.has('character')) query.character = unescapeSlack(flags.get('character')!);
    if (flags.has('project')) query.project = flags.get('project')!;
    if (flags.has('user')) {
      const user = readUser(flags.get('user')!);
      if (!user) throw new UserMistake('--user needs a @mention of the person.');
      query.user = user;
    }
    if (flags.has('kind')) {
      const kind = flags.get('kind')!.toLowerCase();
      if (kind !== 'image' && kind !== 'video') throw new UserMistake('--kind must be image or video.');
      query.kind = kind;
    }
    if (Object.keys(query).length === 0) throw new UserMistake(`Say what to look for. Usage: \`${SEARCH_USAGE}\``);
    const v = await viewer();
    const page = unwrap(await deps.gallery.search(v, query));
    return pageText(deps, v, query.text ? `Images matching “${clip(escapeSlackText(query.text), 100)}”` : 'Matching images', page, query.project);
  }));

  app.command('/gallery', ephemeralCommand(deps, '/gallery', async ({ text, viewer }) => {
    const slug = text.split(/\s+/).filter(Boolean)[0];
    if (slug !== undefined && !SLUG.test(slug)) throw new UserMistake('Usage: `/gallery [project slug]`');
    const v = await viewer();
    // A project one may not see answers as not found, like the gallery's own 404.
    if (slug) unwrap(await deps.projects.info(v, slug));
    const link = deps.galleryLinks.link(v, slug ? `/p/${encodeURIComponent(slug)}` : '', { ttlSeconds: SHORT_LINK_TTL_SECONDS });
    const until = `${link.expiresAt.toISOString().slice(11, 16)} UTC`;
    return `<${link.url}|Open the ${slug ? `\`${slug}\` gallery` : 'gallery'}> — a private link for you only, valid for one hour (until ${until}). Don't share it: it opens the gallery as you.`;
  }));
}
