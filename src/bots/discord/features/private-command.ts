import type { ChatInputCommandInteraction } from 'discord.js';
import type { Actor } from '../../../core/actor.js';
import type { Viewer } from '../../../core/generate-service.js';
import type { Outcome } from '../../../core/outcome.js';
import { viewerOf, type BotContext } from '../context.js';
import { withBoundary } from '../error-boundary.js';
import { Responder } from '../responder.js';
import { describeFailure, type Doing } from '../words.js';

export interface PrivateCommand {
  responder: Responder;
  actor: Actor;
  viewer: Viewer;
}

/**
 * The shape of every command only its caller sees (/jobs, /cancel, /token, /config, /project,
 * /character, /history, /search, /gallery): deferred privately before any other work, the caller
 * identified, and everything inside the one error boundary.
 */
export async function answerPrivately(ctx: BotContext, interaction: ChatInputCommandInteraction, name: string, work: (command: PrivateCommand) => Promise<unknown>): Promise<void> {
  const responder = new Responder(interaction);
  await withBoundary(responder, ctx.log, name, async () => {
    await responder.deferPrivate();
    const { actor, viewer } = await viewerOf(ctx, interaction);
    await work({ responder, actor, viewer });
  });
}

/** The text, or the refusal in the core's words for what was being done. */
export function sayOutcome(responder: Responder, outcome: Outcome<string>, doing: Doing): Promise<void> {
  return responder.say(outcome.ok ? outcome.value : describeFailure(outcome, doing));
}
