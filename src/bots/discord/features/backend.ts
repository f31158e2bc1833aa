import { escapeMarkdown, type ChatInputCommandInteraction } from 'discord.js';
import type { FarmBackend } from '../../../core/farm-admin.js';
import { backendSentence, NO_BACKENDS } from '../../../infra/backend-sentences.js';
import type { BotContext } from '../context.js';
import { describeFailure } from '../words.js';
import { answerPrivately } from './private-command.js';

/** One backend per line, in this adapter's markup. */
export function backendLine(b: FarmBackend): string {
  return backendSentence(b, { name: (n) => `**${escapeMarkdown(n)}**`, server: (s) => `\`${s.replace(/`/g, '')}\`` });
}

/** /backend list | drain name | resume name: the farm's backends (admins). */
export async function handleBackend(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'backend', async ({ responder, viewer }) => {
    const action = interaction.options.getSubcommand(true);
    if (action === 'list') {
      const listed = await ctx.farm.list(viewer);
      if (!listed.ok) return responder.say(describeFailure(listed, 'backend'));
      return responder.say(listed.value.length === 0 ? NO_BACKENDS : ['**Backends**', ...listed.value.map(backendLine)].join('\n'));
    }
    const name = interaction.options.getString('name', true).trim().toLowerCase();
    const changed = await ctx.farm.setDrained(viewer, name, action === 'drain');
    if (!changed.ok) return responder.say(describeFailure(changed, 'backend'));
    const shown = escapeMarkdown(changed.value.name);
    return responder.say(action === 'drain' ? `**${shown}** is drained: it finishes the job it runs and takes no more until \`/backend resume\`.` : `**${shown}** takes work again.`);
  });
}
