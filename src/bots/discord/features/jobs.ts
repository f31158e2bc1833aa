import { ButtonStyle, ComponentType, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../context.js';
import { buttonId } from '../custom-ids.js';
import { progressBar, truncate } from '../render.js';
import { describeFailure } from '../words.js';
import { answerPrivately } from './private-command.js';

const MAX_LISTED = 10;

/** /jobs: the caller's queued and running jobs, each with a Cancel button. Only they see it. */
export async function handleJobs(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'jobs', async ({ responder, viewer }) => {
    const listed = await ctx.service.listJobs(viewer, 'mine', ['queued', 'running'], MAX_LISTED);
    if (!listed.ok) return responder.say(describeFailure(listed, 'list'));
    const jobs = listed.value;
    if (jobs.length === 0) return responder.say('You have no queued or running jobs.');
    const lines = jobs.map((job, i) => {
      const state = job.status === 'queued' ? 'queued' : `\`${progressBar(job.progress)}\` ${job.progress}%`;
      return `${i + 1}. \`${job.id.slice(0, 8)}\` ${state} — ${truncate(job.promptSent.replace(/\s+/g, ' '), 80)}`;
    });
    const buttons = jobs.map((job, i) => ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label: `Cancel ${i + 1}`, custom_id: buttonId('cancel', job.id) }));
    const rows = [];
    for (let i = 0; i < buttons.length; i += 5) rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + 5) });
    await responder.say(lines.join('\n'), { components: rows });
  });
}
