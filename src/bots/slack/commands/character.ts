import type { App } from '@slack/bolt';
import type { Character } from '../../../core/characters/types.js';
import type { Viewer } from '../../../core/generate-service.js';
import { MAX_SEED } from '../../../core/generate-request.js';
import { numberFlag, parseCommandFlags } from '../flags.js';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake } from '../error-boundary.js';
import { clip, escapeSlackText } from '../escape.js';
import { isPictureCommand, openCharacterPicture, PICTURE_USAGE, registerCharacterPictureModal } from './character-picture.js';
import { ephemeralCommand, grammarMistake, unwrap, type CommandContext } from './ephemeral-command.js';

const CHARACTER_USAGE = [
  '*/character* — the cast, per project or space-wide (changes need the moderator role)',
  '• `list [--project <slug>]` · `show <name> [--project <slug>]` · `delete <name> [--project <slug>]`',
  '• `create <name> --prompt <fragment> [--negative <text>] [--description <text>] [--project <slug>] [--seed N] [--lora <file>[:weight]]`',
  '• `edit <name> [--project <slug>] [--name <new name>] [--prompt ...] [--negative ...] [--description ...] [--seed N|none] [--lora <file>[:weight]|none]`',
  `• ${PICTURE_USAGE}`,
  'Without --project a character is space-wide. /generate --character <name> puts its fragment before your prompt.',
].join('\n');

const VERB_USAGE: Record<string, string> = {
  list: '`/character list [--project <slug>]`',
  show: '`/character show <name> [--project <slug>]`',
  delete: '`/character delete <name> [--project <slug>]`',
  create: '`/character create <name> --prompt <fragment> [--negative <text>] [--description <text>] [--project <slug>] [--seed N] [--lora <file>[:weight]]`',
  edit: '`/character edit <name> [--project <slug>] [--name <new name>] [--prompt ...] [--negative ...] [--description ...] [--seed N|none] [--lora <file>[:weight]|none]`',
};

const FIELDS = ['project', 'prompt', 'negative', 'description', 'seed', 'lora'] as const;

/** `--seed N` or `none` (edit clears it); the flag is named in every error. */
function seedOf(raw: string): number | null {
  if (raw.toLowerCase() === 'none') return null;
  const n = numberFlag('seed', raw, 0, MAX_SEED);
  if (typeof n !== 'number') throw new UserMistake(escapeSlackText(`${n.error}.`));
  return n;
}

/** `--lora file.safetensors:0.8` (weight defaults to 1) or `none`. */
function loraOf(raw: string): { name: string; weight: number } | null {
  if (raw.toLowerCase() === 'none') return null;
  const match = /^(.+?)(?::(-?\d+(?:\.\d+)?))?$/.exec(raw.trim());
  if (!match?.[1]) throw new UserMistake('--lora needs a LoRA file name, optionally with `:weight`.');
  return { name: match[1], weight: match[2] === undefined ? 1 : Number(match[2]) };
}

/** The flags as the core's field names; only what was given. */
function fieldsOf(flags: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.has('prompt')) out.promptFragment = flags.get('prompt');
  if (flags.has('negative')) out.negativeFragment = flags.get('negative');
  if (flags.has('description')) out.description = flags.get('description');
  if (flags.has('seed')) out.referenceSeed = seedOf(flags.get('seed')!);
  if (flags.has('lora')) out.lora = loraOf(flags.get('lora')!);
  return out;
}

function describe(deps: SlackFeatureDeps, viewer: Viewer, c: Character): string {
  const page = deps.galleryLinks.link(viewer, `/c/${c.id}`).url;
  return [
    `*<${page}|${escapeSlackText(c.name)}>* — ${c.projectSlug ? `project \`${c.projectSlug}\`` : 'space-wide'}`,
    c.description ? clip(escapeSlackText(c.description), 500) : '',
    `Prompt fragment: ${escapeSlackText(c.promptFragment)}`,
    c.negativeFragment ? `Negative fragment: ${escapeSlackText(c.negativeFragment)}` : '',
    c.referenceSeed !== null ? `Reference seed: ${c.referenceSeed}` : '',
    c.lora ? `LoRA: \`${escapeSlackText(c.lora.name)}\` × ${c.lora.weight}` : '',
  ].filter(Boolean).join('\n');
}

async function run(deps: SlackFeatureDeps, ctx: CommandContext): Promise<string> {
  const [verbWord = '', ...args] = ctx.text.split(/\s+/).filter(Boolean);
  const verb = verbWord.toLowerCase();
  if (!verb || verb === 'help') return CHARACTER_USAGE;
  const usage = VERB_USAGE[verb];
  if (!usage) throw new UserMistake(`Unknown subcommand \`${escapeSlackText(verb.slice(0, 20))}\`.\n${CHARACTER_USAGE}`);
  const allowed = verb === 'create' ? FIELDS : verb === 'edit' ? [...FIELDS, 'name'] : ['project'];
  const parsed = parseCommandFlags(args.join(' '), allowed);
  if (!parsed.ok) throw grammarMistake(parsed.error, usage);
  const name = parsed.positional.join(' ');
  const project = parsed.flags.get('project');
  const scope = project ? { project } : {};
  if (verb !== 'list' && !name) throw new UserMistake(`\`/character ${verb}\` needs a character name.\n${CHARACTER_USAGE}`);
  const viewer = await ctx.viewer();
  switch (verb) {
    case 'list': {
      const cast = unwrap(await deps.characters.list(viewer, scope));
      if (cast.length === 0) return 'No characters yet. A moderator adds one with `/character create <name> --prompt <fragment>`.';
      return ['*Characters*', ...cast.map((c) => `• *${escapeSlackText(c.name)}* — ${c.projectSlug ? `\`${c.projectSlug}\`` : 'space-wide'} · ${clip(escapeSlackText(c.promptFragment), 80)}`)].join('\n');
    }
    case 'show':
      return describe(deps, viewer, unwrap(await deps.characters.show(viewer, name, scope)));
    case 'create': {
      const created = unwrap(await deps.characters.create(viewer, { name, ...scope, ...fieldsOf(parsed.flags) }));
      return `Created:\n${describe(deps, viewer, created)}`;
    }
    case 'edit': {
      const patch = fieldsOf(parsed.flags);
      if (parsed.flags.has('name')) patch.name = parsed.flags.get('name');
      if (Object.keys(patch).length === 0) throw new UserMistake('Nothing to change: give at least one of --name, --prompt, --negative, --description, --seed, --lora.');
      return `Updated:\n${describe(deps, viewer, unwrap(await deps.characters.edit(viewer, name, patch, scope)))}`;
    }
    default: {
      const deleted = unwrap(await deps.characters.delete(viewer, name, scope));
      return `Deleted character *${escapeSlackText(deleted.name)}*. Images made with it keep its name.`;
    }
  }
}

/** `/character ...`: private answers; the core checks the moderator role and visibility. `picture` opens a form. */
export function registerCharacterCommand(app: App, deps: SlackFeatureDeps): void {
  const answer = ephemeralCommand(deps, '/character', (ctx) => run(deps, ctx));
  app.command('/character', async (args) => (isPictureCommand(args.command.text) ? openCharacterPicture(deps, args) : answer(args)));
  registerCharacterPictureModal(app, deps);
}
