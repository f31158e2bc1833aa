import { escapeMarkdown, type ChatInputCommandInteraction } from 'discord.js';
import type { FarmBackend } from '../../../core/farm-admin.js';
import type { BotContext } from '../context.js';
import { describeFailure } from '../words.js';
import { answerPrivately } from './private-command.js';

const STATE_WORDS: Record<string, string> = {
  idle: 'idle',
  busy: 'busy',
  draining: 'finishing its job, then drained',
  drained: 'drained',
  down: 'down (not answering)',
};

/** One backend per line: name, host:port, what it does now (never its URL). */
export function backendLine(b: FarmBackend): string {
  const state = b.state ? STATE_WORDS[b.state] : b.drained ? 'drained, no worker serves it' : 'no worker serves it';
  const job = b.jobId ? ` · job \`${b.jobId.slice(0, 8)}\`` : '';
  return `• **${escapeMarkdown(b.name)}** \`${b.server.replace(/`/g, '')}\` — ${state}${job}${b.source === 'table' ? ' · added by an admin' : ''}`;
}

/** /backend list | drain name | resume name: the farm's backends (admins). */
export async function handleBackend(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'backend', async ({ responder, viewer }) => {
    const action = interaction.options.getSubcommand(true);
    if (action === 'list') {
      const listed = await ctx.farm.list(viewer);
      if (!listed.ok) return responder.say(describeFailure(listed, 'backend'));
      return responder.say(listed.value.length === 0 ? 'No backends are declared; the built-in renderer does the work.' : ['**Backends**', ...listed.value.map(backendLine)].join('\n'));
    }
    const name = interaction.options.getString('name', true).trim().toLowerCase();
    const changed = await ctx.farm.setDrained(viewer, name, action === 'drain');
    if (!changed.ok) return responder.say(describeFailure(changed, 'backend'));
    const shown = escapeMarkdown(changed.value.name);
    return responder.say(action === 'drain' ? `**${shown}** is drained: it finishes the job it runs and takes no more until \`/backend resume\`.` : `**${shown}** takes work again.`);
  });
}
