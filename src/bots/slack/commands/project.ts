import type { App } from '@slack/bolt';
import type { Viewer } from '../../../core/generate-service.js';
import type { ProjectForUser } from '../../../core/projects/types.js';
import { isVisibility } from '../../../core/projects/types.js';
import { parseCommandFlags } from '../flags.js';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake } from '../error-boundary.js';
import { clip, escapeSlackText } from '../escape.js';
import { ephemeralCommand, grammarMistake, unwrap, type CommandContext } from './ephemeral-command.js';

const PROJECT_USAGE = [
  '*/project* — projects of this workspace (changes need the moderator role)',
  '• `list` (`list all` shows archived ones too) · `info <slug>`',
  '• `create <name> [--slug <slug>] [--description <text>] [--visibility space|private|public]`',
  '• `use <slug>` (this channel\'s default for /generate) · `rename <slug> <new name>` · `describe <slug> <text>`',
  '• `visibility <slug> space|private|public` · `archive <slug>`',
].join('\n');

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

function slugArg(word: string | undefined, verb: string): string {
  if (!word || !SLUG.test(word)) throw new UserMistake(escapeSlackText(`\`/project ${verb}\` needs a project slug (see \`/project list\`).`));
  return word;
}

/** `<url|Name>`: the signed gallery link, labelled with the (escaped) name. */
function linked(deps: SlackFeatureDeps, viewer: Viewer, p: Pick<ProjectForUser, 'slug' | 'name'>): string {
  return `<${deps.galleryLinks.url(viewer, p.slug)}|${escapeSlackText(p.name)}>`;
}

function listLine(deps: SlackFeatureDeps, viewer: Viewer, p: ProjectForUser): string {
  const marks = [p.visibility, p.isDefault ? 'default' : '', p.archivedAt ? 'archived' : ''].filter(Boolean).join(', ');
  return `• ${linked(deps, viewer, p)} \`${p.slug}\` — ${marks}`;
}

async function info(deps: SlackFeatureDeps, viewer: Viewer, slug: string): Promise<string> {
  const i = unwrap(await deps.projects.info(viewer, slug));
  const p = i.project;
  const lines = [
    `*${linked(deps, viewer, p)}* \`${p.slug}\` — ${p.visibility}${p.archivedAt ? ', archived' : ''}`,
    p.description ? clip(escapeSlackText(p.description), 1000) : '_No description._',
    `Images: ${i.images}${i.lastImageAt ? ` · latest ${i.lastImageAt.toISOString().slice(0, 10)}` : ''}`,
  ];
  // Names and ids only: a <@U…> here would notify every member each time someone asks.
  if (p.visibility === 'private') lines.push(`Members: ${i.members.length ? i.members.map((m) => `\`${escapeSlackText(m.displayName || m.externalId)}\``).join(', ') : 'none yet'}`);
  if (i.channels.length) lines.push(`Default in: ${i.channels.filter((c) => /^[CG][A-Z0-9]+$/.test(c)).map((c) => `<#${c}>`).join(', ')}`);
  if (p.publicToken) lines.push(`Public link: ${deps.galleryLinks.publicProjectUrl(p.publicToken)}`);
  return lines.join('\n');
}

async function run(deps: SlackFeatureDeps, ctx: CommandContext): Promise<string> {
  const [verbWord, ...args] = ctx.text.split(/\s+/).filter(Boolean);
  const verb = verbWord?.toLowerCase();
  if (!verb || verb === 'help') return PROJECT_USAGE;
  const viewer = await ctx.viewer();
  const rest = args.slice(1).join(' ');
  switch (verb) {
    case 'list': {
      const all = unwrap(await deps.projects.list(viewer, { includeArchived: args[0]?.toLowerCase() === 'all' }));
      return ['*Projects*', ...all.map((p) => listLine(deps, viewer, p))].join('\n');
    }
    case 'info':
      return info(deps, viewer, slugArg(args[0], 'info'));
    case 'create': {
      const parsed = parseCommandFlags(args.join(' '), ['slug', 'description', 'visibility']);
      if (!parsed.ok) throw grammarMistake(parsed.error, '`/project create <name> [--slug <slug>] [--description <text>] [--visibility space|private|public]`');
      const name = parsed.positional.join(' ');
      if (!name) throw new UserMistake('Give the project a name: `/project create Summer Festival`.');
      const visibility = parsed.flags.get('visibility')?.toLowerCase();
      if (visibility !== undefined && !isVisibility(visibility)) throw new UserMistake('--visibility must be space, private or public.');
      const input = { name, slug: parsed.flags.get('slug'), description: parsed.flags.get('description'), visibility };
      const created = unwrap(await deps.projects.create(viewer, Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined))));
      return `Created project ${linked(deps, viewer, created)} \`${created.slug}\` (${created.visibility}). \`/project use ${created.slug}\` makes it this channel's default.`;
    }
    case 'use': {
      const used = unwrap(await deps.projects.use(viewer, ctx.place.channelId, slugArg(args[0], 'use')));
      return `/generate in this channel now goes to ${linked(deps, viewer, used)} \`${used.slug}\`.`;
    }
    case 'rename': {
      if (!rest) throw new UserMistake('Usage: `/project rename <slug> <new name>`');
      const renamed = unwrap(await deps.projects.rename(viewer, slugArg(args[0], 'rename'), rest));
      return `Renamed: ${linked(deps, viewer, renamed)} \`${renamed.slug}\` (the slug stays, it is in links).`;
    }
    case 'describe': {
      const described = unwrap(await deps.projects.describe(viewer, slugArg(args[0], 'describe'), rest));
      return `Description of ${linked(deps, viewer, described)} updated.`;
    }
    case 'visibility': {
      const to = args[1]?.toLowerCase();
      if (!isVisibility(to)) throw new UserMistake('Usage: `/project visibility <slug> space|private|public`');
      const changed = unwrap(await deps.projects.setVisibility(viewer, slugArg(args[0], 'visibility'), to));
      return `${linked(deps, viewer, changed)} is now ${changed.visibility}.${changed.publicToken ? ` Public link: ${deps.galleryLinks.publicProjectUrl(changed.publicToken)}` : ''}`;
    }
    case 'archive': {
      const archived = unwrap(await deps.projects.archive(viewer, slugArg(args[0], 'archive')));
      return `Archived ${escapeSlackText(archived.name)} \`${archived.slug}\`. Its images stay in the gallery.`;
    }
    default:
      throw new UserMistake(`Unknown subcommand \`${escapeSlackText(verb.slice(0, 20))}\`.\n${PROJECT_USAGE}`);
  }
}

/** `/project ...`: every answer is private (ephemeral); the core enforces who may change what. */
export function registerProjectCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/project', ephemeralCommand(deps, '/project', (ctx) => run(deps, ctx)));
}
