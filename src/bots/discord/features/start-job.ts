import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { Actor } from '../../../core/actor.js';
import type { Submitted } from '../../../core/generate-service.js';
import type { Outcome } from '../../../core/outcome.js';
import { requireActor, type BotContext } from '../context.js';
import { DEFAULT_ATTACHMENT_LIMIT, type DiscordReply } from '../reply-handle.js';
import type { Responder } from '../responder.js';
import { describeFailure, type Doing } from '../words.js';

/**
 * The shared path of /generate and Re-roll. The defer comes first, before any database or Redis work,
 * so the 3-second deadline never depends on them; it is public because most requests are accepted.
 * A refusal deletes that message and answers ephemerally instead (see docs/decisions.md, Discord).
 */
export async function startJob(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  responder: Responder,
  doing: Doing,
  submit: (actor: Actor, reply: DiscordReply) => Promise<Outcome<Submitted>>,
): Promise<void> {
  const messageId = await responder.deferPublic();
  const actor = requireActor(interaction);
  const reply: DiscordReply = {
    platform: 'discord',
    appId: interaction.applicationId,
    token: interaction.token,
    guildId: actor.spaceExternalId,
    channelId: interaction.channelId,
    messageId,
    userId: interaction.user.id,
    createdAt: interaction.createdTimestamp,
    mode: 'interaction',
    attachmentSizeLimit: interaction.attachmentSizeLimit || DEFAULT_ATTACHMENT_LIMIT,
    landed: false,
  };
  // The reply goes into the job record with the job itself, so a restart finds the message.
  const outcome = await submit(actor, reply);
  if (!outcome.ok) {
    await responder.say(describeFailure(outcome, doing));
    return;
  }
  await ctx.tracker.announce(outcome.value.job, reply, outcome.value.position, outcome.value.eta);
}
