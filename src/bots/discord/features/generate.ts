import type { ChatInputCommandInteraction } from 'discord.js';
import { ASPECTS, type Aspect } from '../../../core/generate-request.js';
import type { BotContext } from '../context.js';
import { UserMistake, withBoundary } from '../error-boundary.js';
import { Responder } from '../responder.js';
import { startJob } from './start-job.js';

/** Slash-command options -> the core's request input. The core validates; this only renames. */
export function requestFromOptions(options: ChatInputCommandInteraction['options']): Record<string, unknown> {
  const aspect = options.getString('aspect') ?? 'square';
  if (!(aspect in ASPECTS)) throw new UserMistake('The `aspect` option must be square, portrait or landscape.');
  const { width, height } = ASPECTS[aspect as Aspect];
  const negative = options.getString('negative');
  const seed = options.getInteger('seed');
  const count = options.getInteger('count');
  return {
    prompt: options.getString('prompt', true),
    ...(negative !== null ? { negativePrompt: negative } : {}),
    width,
    height,
    ...(seed !== null ? { seed } : {}),
    ...(count !== null ? { count } : {}),
  };
}

export async function handleGenerate(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const responder = new Responder(interaction);
  await withBoundary(responder, ctx.log, 'generate', () =>
    startJob(ctx, interaction, responder, 'generate', (actor, reply) => ctx.service.submit(actor, requestFromOptions(interaction.options), reply)),
  );
}
