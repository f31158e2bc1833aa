import type { ChatInputCommandInteraction } from 'discord.js';
import type { Character } from '../../../core/characters/types.js';
import type { Viewer } from '../../../core/generate-service.js';
import { fail, type Outcome } from '../../../core/outcome.js';
import { can } from '../../../core/policy/permissions.js';
import { storeAttachment } from './attachment-image.js';
import type { BotContext } from '../context.js';
import { UserMistake } from '../error-boundary.js';
import { CONTENT_LIMIT, characterDetail, characterLine, fitLines, link, plain } from '../studio-format.js';
import { answerPrivately, sayOutcome } from './private-command.js';

type Options = ChatInputCommandInteraction['options'];

/** Slash options -> the core's character fields (its names). Only what was given; the core validates. */
function characterFields(options: Options, nameOption: 'name' | 'new_name'): Record<string, unknown> {
  const text = (option: string) => options.getString(option);
  const name = text(nameOption);
  const description = text('description');
  const fragment = text('fragment');
  const negative = text('negative');
  const seed = options.getInteger('seed');
  const lora = text('lora');
  const weight = options.getNumber('lora_weight');
  if (weight !== null && lora === null) throw new UserMistake('Give `lora` together with `lora_weight`.');
  return {
    ...(name !== null ? { name } : {}),
    ...(description !== null ? { description } : {}),
    ...(fragment !== null ? { promptFragment: fragment } : {}),
    ...(negative !== null ? { negativeFragment: negative } : {}),
    ...(seed !== null ? { referenceSeed: seed } : {}),
    // An empty lora name removes the LoRA; a weight defaults to 1 in the core.
    ...(lora !== null ? { lora: lora.trim() === '' ? null : { name: lora.trim(), ...(weight !== null ? { weight } : {}) } } : {}),
  };
}

async function runCharacter(ctx: BotContext, viewer: Viewer, options: Options): Promise<Outcome<string>> {
  const project = options.getString('project')?.trim() || undefined;
  const scope = project ? { project } : {};
  const name = () => options.getString('name', true);
  const gallery = (c: Character) => link('Open the gallery', ctx.galleryLinks.url(viewer, c.projectSlug ?? undefined));
  const said = (outcome: Outcome<Character>, text: (c: Character) => string): Outcome<string> =>
    outcome.ok ? { ok: true, value: `${text(outcome.value)}\n${gallery(outcome.value)}` } : outcome;
  switch (options.getSubcommand(true)) {
    case 'create': {
      const created = await ctx.characters.create(viewer, { ...characterFields(options, 'name'), ...(project ? { project } : {}) });
      return said(created, (c) => `Created ${characterLine(c)}\nUse it with \`/generate character:${plain(c.name, 48)}\`.`);
    }
    case 'list': {
      const listed = await ctx.characters.list(viewer, scope);
      if (!listed.ok) return listed;
      const lines = listed.value.map((c) => `• ${characterLine(c)}`);
      return { ok: true, value: lines.length ? fitLines(lines, CONTENT_LIMIT) : 'No characters yet. A moderator can add one with `/character create`.' };
    }
    case 'show':
      return said(await ctx.characters.show(viewer, name(), scope), characterDetail);
    case 'edit': {
      const patch = characterFields(options, 'new_name');
      if (Object.keys(patch).length === 0) throw new UserMistake('Give at least one thing to change (`new_name`, `fragment`, `description`, `negative`, `seed`, `lora`).');
      return said(await ctx.characters.edit(viewer, name(), patch, scope), (c) => `Updated ${characterLine(c)}`);
    }
    case 'reference': {
      // Moderators only, asked before the picture is fetched and stored (the core asks again).
      if (!can({ role: viewer.role, userId: viewer.identity.userId }, 'manage_characters')) return fail({ reason: 'not_permitted', action: 'change_characters' });
      const stored = await storeAttachment(ctx, options.getAttachment('image', true), viewer);
      if (!stored.ok) return stored;
      return said(await ctx.characters.setReferences(viewer, name(), [stored.value], 'add', scope), (c) => `Added a reference picture to ${characterLine(c)} (${c.referenceImages.length} now); \`/generate\` with it sends them to the image server.`);
    }
    case 'delete': {
      const deleted = await ctx.characters.delete(viewer, name(), scope);
      return deleted.ok ? { ok: true, value: `Deleted **${plain(deleted.value.name, 48)}**. Images made with it keep its name in their recipe.` } : deleted;
    }
    default:
      throw new Error(`unknown /character subcommand ${options.getSubcommand(true)}`);
  }
}

/** /character create|list|show|edit|delete — changes need a moderator (the core decides). */
export async function handleCharacter(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'character', async ({ responder, viewer }) =>
    sayOutcome(responder, await runCharacter(ctx, viewer, interaction.options), 'character'),
  );
}
