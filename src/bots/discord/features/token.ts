import type { ChatInputCommandInteraction } from 'discord.js';
import { isRole } from '../../../core/roles.js';
import type { BotContext } from '../context.js';
import { UserMistake } from '../error-boundary.js';
import { describeFailure } from '../words.js';
import { answerPrivately } from './private-command.js';

/** /token user role days — an HTTP API token, shown once and only to the admin who asked. */
export async function handleToken(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'token', async ({ responder, actor, viewer }) => {
    // The option value is the user id; read it raw so it works without `resolved` data.
    const userId = String(interaction.options.get('user', true).value);
    const role = interaction.options.getString('role', true);
    if (!isRole(role)) throw new UserMistake('The `role` option must be viewer, creator, moderator or admin.');
    const days = interaction.options.getInteger('days', true);
    const issued = await ctx.admin.issueToken(viewer, { subject: userId, role, days, platform: 'discord', space: actor.spaceExternalId });
    if (!issued.ok) return responder.say(describeFailure(issued, 'token'));
    const expires = Math.floor(issued.value.expiresAt.getTime() / 1000);
    await responder.say(
      `API token for <@${userId}> as **${role}**, expires <t:${expires}:f>. It is shown only this once:\n\`\`\`\n${issued.value.token}\n\`\`\`\nRevoke it with id \`${issued.value.tokenId}\`.`,
    );
  });
}
