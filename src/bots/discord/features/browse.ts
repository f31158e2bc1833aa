import type { ChatInputCommandInteraction } from 'discord.js';
import type { GalleryPage } from '../../../core/gallery/types.js';
import type { Viewer } from '../../../core/generate-service.js';
import { refuse, type Outcome } from '../../../core/outcome.js';
import { SHORT_LINK_TTL_SECONDS } from '../../../infra/links/gallery-links.js';
import type { BotContext } from '../context.js';
import { UserMistake } from '../error-boundary.js';
import { EMBED_LIMIT, fitLines, itemLine, link, plain } from '../studio-format.js';
import { describeFailure } from '../words.js';
import { answerPrivately } from './private-command.js';

type Options = ChatInputCommandInteraction['options'];
const LISTED = 10;

/** A user option's value is the Discord user id, which is what the gallery keeps as the author. */
function userOption(options: Options): string | undefined {
  const option = options.get('user');
  return option ? String(option.value) : undefined;
}

function kindOption(options: Options): 'image' | 'video' | undefined {
  const kind = options.getString('kind');
  if (kind === null) return undefined;
  if (kind !== 'image' && kind !== 'video') throw new UserMistake('The `kind` option must be image or video.');
  return kind;
}

/** The newest matches as an embed (links are long; an embed holds twice what content does). */
function listing(ctx: BotContext, viewer: Viewer, title: string, page: GalleryPage, project: string | undefined) {
  const items = page.items.slice(0, LISTED);
  const lines = items.map((item) => itemLine(item, ctx.galleryLinks.imageUrl(viewer, item.jobId)));
  const more = page.items.length - items.length + (page.nextCursor ? 1 : 0);
  const footer = link(project ? 'Browse the project' : 'Browse the gallery', ctx.galleryLinks.url(viewer, project));
  const description = lines.length ? `${fitLines(lines, EMBED_LIMIT - footer.length - 80)}${more > 0 ? '\nMore in the gallery.' : ''}` : 'No images match.';
  return { content: '', embeds: [{ title, description: `${description}\n\n${footer}` }] };
}

async function history(ctx: BotContext, viewer: Viewer, options: Options): Promise<Outcome<ReturnType<typeof listing>>> {
  const user = userOption(options);
  const project = options.getString('project')?.trim() || undefined;
  const page = await ctx.gallery.history(viewer, { ...(user ? { user } : {}), ...(project ? { project } : {}) });
  const title = `Latest images${project ? ` in ${project}` : ''}`;
  return page.ok ? { ok: true, value: listing(ctx, viewer, title, page.value, project) } : page;
}

async function search(ctx: BotContext, viewer: Viewer, options: Options): Promise<Outcome<ReturnType<typeof listing>>> {
  const text = options.getString('text', true);
  const character = options.getString('character')?.trim() || undefined;
  const project = options.getString('project')?.trim() || undefined;
  const user = userOption(options);
  const kind = kindOption(options);
  const query = { text, ...(character ? { character } : {}), ...(project ? { project } : {}), ...(user ? { user } : {}), ...(kind ? { kind } : {}) };
  const page = await ctx.gallery.search(viewer, query);
  return page.ok ? { ok: true, value: listing(ctx, viewer, `Search: ${plain(text, 100)}`, page.value, project) } : page;
}

/** /history and /search: private lists whose links are signed for the one who asked. */
export async function handleBrowse(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, interaction.commandName, async ({ responder, viewer }) => {
    const run = interaction.commandName === 'search' ? search : history;
    const outcome = await run(ctx, viewer, interaction.options);
    if (!outcome.ok) return responder.say(describeFailure(outcome, 'browse'));
    await responder.editOriginal(outcome.value);
  });
}

/** /gallery: a short-lived signed link to the server's galleries, only for the one who asked. */
export async function handleGallery(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'gallery', async ({ responder, viewer }) => {
    // Whoever may not view the gallery gets no link: it would only open a 404.
    const projects = await ctx.gallery.projects(viewer);
    if (projects.length === 0) return responder.say(describeFailure(refuse('forbidden'), 'browse'));
    const { url, expiresAt } = ctx.galleryLinks.link(viewer, '', { ttlSeconds: SHORT_LINK_TTL_SECONDS });
    const expires = Math.floor(expiresAt.getTime() / 1000);
    await responder.say(`${link('Open the gallery', url)} — only for you; the link works until <t:${expires}:t> (<t:${expires}:R>).`);
  });
}
