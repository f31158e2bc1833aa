import type { ChatInputCommandInteraction } from 'discord.js';
import type { Viewer } from '../../../core/generate-service.js';
import type { Outcome } from '../../../core/outcome.js';
import { isVisibility, type Project } from '../../../core/projects/types.js';
import type { BotContext } from '../context.js';
import { UserMistake } from '../error-boundary.js';
import { CONTENT_LIMIT, fitLines, link, plain, projectTitle, whoSees } from '../studio-format.js';
import { answerPrivately, sayOutcome } from './private-command.js';

type Options = ChatInputCommandInteraction['options'];

function visibilityOption(options: Options, required: boolean) {
  const value = options.getString('visibility', required);
  if (value !== null && !isVisibility(value)) throw new UserMistake('The `visibility` option must be space, private or public.');
  return value ?? undefined;
}

/** The user ids of a user option, read raw so it works without `resolved` data. */
function userIds(options: Options, name: string): string[] {
  const option = options.get(name);
  return option ? [String(option.value)] : [];
}

async function runProject(ctx: BotContext, viewer: Viewer, interaction: ChatInputCommandInteraction): Promise<Outcome<string>> {
  const { options } = interaction;
  const gallery = (slug: string) => link('Open its gallery', ctx.galleryLinks.url(viewer, slug));
  const done = (outcome: Outcome<Project>, text: (p: Project) => string): Outcome<string> =>
    outcome.ok ? { ok: true, value: `${text(outcome.value)}\n${gallery(outcome.value.slug)}` } : outcome;
  const slug = () => options.getString('project', true).trim();
  switch (options.getSubcommand(true)) {
    case 'create': {
      const description = options.getString('description');
      const wanted = options.getString('slug');
      const visibility = visibilityOption(options, false);
      const created = await ctx.projects.create(viewer, {
        name: options.getString('name', true),
        ...(wanted ? { slug: wanted.trim() } : {}),
        ...(description !== null ? { description } : {}),
        ...(visibility ? { visibility } : {}),
      });
      return done(created, (p) => {
        const shared = p.publicToken ? `\nPublic link: ${link('anyone can open this', ctx.galleryLinks.publicProjectUrl(p.publicToken))}` : '';
        return `Created ${projectTitle(p)}, visible to ${whoSees(p.visibility)}.${shared}`;
      });
    }
    case 'list': {
      const listed = await ctx.projects.list(viewer, { includeArchived: options.getBoolean('archived') ?? false });
      if (!listed.ok) return listed;
      const lines = listed.value.map((p) => `• ${projectTitle(p)}${p.isDefault ? ' — server default' : ''} · ${p.visibility} · ${link('gallery', ctx.galleryLinks.url(viewer, p.slug))}`);
      return { ok: true, value: lines.length ? fitLines(lines, CONTENT_LIMIT) : 'No projects yet.' };
    }
    case 'use': {
      const channelId = interaction.channelId;
      return done(await ctx.projects.use(viewer, channelId, slug()), (p) => `\`/generate\` in <#${channelId}> now goes to ${projectTitle(p)} unless another project is named.`);
    }
    case 'rename':
      return done(await ctx.projects.rename(viewer, slug(), options.getString('name', true)), (p) => `Renamed: now ${projectTitle(p)}. Its slug and links stay the same.`);
    case 'describe':
      return done(await ctx.projects.describe(viewer, slug(), options.getString('text') ?? ''), (p) => `Description of ${projectTitle(p)} updated.`);
    case 'visibility': {
      const visibility = visibilityOption(options, true)!;
      return done(await ctx.projects.setVisibility(viewer, slug(), visibility), (p) => `${projectTitle(p)} is now visible to ${whoSees(p.visibility)}.`);
    }
    case 'archive':
      return done(await ctx.projects.archive(viewer, slug()), (p) => `Archived ${projectTitle(p)}: its images stay browsable, new images cannot go there.`);
    case 'members': {
      const changed = await ctx.projects.changeMembers(viewer, slug(), { add: userIds(options, 'add'), remove: userIds(options, 'remove') });
      return changed.ok ? { ok: true, value: `Members of \`${slug()}\`: ${changed.value.added} added, ${changed.value.removed} removed.` } : changed;
    }
    case 'info': {
      const info = await ctx.projects.info(viewer, slug());
      if (!info.ok) return info;
      const { project: p, images, lastImageAt, members, channels } = info.value;
      const lines = [
        projectTitle(p),
        p.description && plain(p.description, 500),
        `Visible to ${whoSees(p.visibility)} · ${images} image${images === 1 ? '' : 's'}${lastImageAt ? `, latest <t:${Math.floor(lastImageAt.getTime() / 1000)}:R>` : ''}`,
        channels.length > 0 && `Default in ${channels.map((id) => `<#${id}>`).join(', ')}`,
        members.length > 0 && `Members: ${plain(members.map((m) => m.displayName || m.externalId).join(', '), 300)}`,
        gallery(p.slug),
      ];
      return { ok: true, value: lines.filter(Boolean).join('\n') };
    }
    default:
      throw new Error(`unknown /project subcommand ${options.getSubcommand(true)}`);
  }
}

/** /project create|list|use|rename|describe|visibility|archive|members|info — changes need a moderator (the core decides). */
export async function handleProject(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  // Private: the answer carries links signed for this user, with their role.
  await answerPrivately(ctx, interaction, 'project', async ({ responder, viewer }) =>
    sayOutcome(responder, await runProject(ctx, viewer, interaction), 'project'),
  );
}
