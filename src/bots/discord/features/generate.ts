import type { ChatInputCommandInteraction } from 'discord.js';
import { ASPECTS, type Aspect } from '../../../core/generate-request.js';
import type { Actor } from '../../../core/actor.js';
import { ok, type Outcome } from '../../../core/outcome.js';
import { storeAttachment } from './attachment-image.js';
import type { BotContext } from '../context.js';
import { UserMistake, withBoundary } from '../error-boundary.js';
import { Responder } from '../responder.js';
import { startJob } from './start-job.js';

/**
 * Characters come as three options, `character`, `character2` and `character3`, one name each, so
 * each gets its own autocomplete (a comma-separated list cannot be completed name by name). They
 * are merged in that order; blanks and repeats are dropped.
 */
const CHARACTER_OPTIONS = ['character', 'character2', 'character3'] as const;

export function charactersFromOptions(options: Pick<ChatInputCommandInteraction['options'], 'getString'>): string[] {
  const names = CHARACTER_OPTIONS.map((name) => options.getString(name)?.trim() ?? '').filter((name) => name !== '');
  return names.filter((name, i) => names.findIndex((other) => other.toLowerCase() === name.toLowerCase()) === i);
}

/** Slash-command options -> the core's request input. The core validates; this only renames. */
function requestFromOptions(options: ChatInputCommandInteraction['options']): Record<string, unknown> {
  const aspect = options.getString('aspect') ?? 'square';
  if (!(aspect in ASPECTS)) throw new UserMistake('The `aspect` option must be square, portrait or landscape.');
  const { width, height } = ASPECTS[aspect as Aspect];
  const negative = options.getString('negative');
  const seed = options.getInteger('seed');
  const count = options.getInteger('count');
  // Without a project the core uses the channel's default (`/project use`), else the server's.
  const project = options.getString('project')?.trim();
  const characters = charactersFromOptions(options);
  const model = options.getString('model')?.trim();
  return {
    prompt: options.getString('prompt', true),
    ...(negative !== null ? { negativePrompt: negative } : {}),
    width,
    height,
    ...(seed !== null ? { seed } : {}),
    ...(count !== null ? { count } : {}),
    ...(project ? { project } : {}),
    ...(characters.length > 0 ? { characters } : {}),
    ...(model ? { model } : {}),
  };
}

/** The `image` option's attachment as a checked upload id of the asker's space (see attachment-image.ts). */
async function referenceFromAttachment(ctx: BotContext, interaction: ChatInputCommandInteraction, actor: Actor): Promise<Outcome<string | undefined>> {
  const attachment = interaction.options.getAttachment('image');
  if (!attachment) return ok(undefined);
  return storeAttachment(ctx, attachment, await ctx.service.identify(actor));
}

export async function handleGenerate(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const responder = new Responder(interaction);
  await withBoundary(responder, ctx.log, 'generate', () =>
    startJob(ctx, interaction, responder, 'generate', async (actor, reply) => {
      const request = requestFromOptions(interaction.options);
      // After the defer (startJob's first step): the download may take longer than Discord's 3 seconds.
      const reference = await referenceFromAttachment(ctx, interaction, actor);
      if (!reference.ok) return reference;
      const strength = interaction.options.getNumber('strength');
      return ctx.service.submit(actor, { ...request, ...(reference.value ? { referenceImage: reference.value } : {}), ...(strength !== null ? { strength } : {}) }, reply);
    }),
  );
}
