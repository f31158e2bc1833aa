import type { ChatInputCommandInteraction } from 'discord.js';
import type { Viewer } from '../../../core/generate-service.js';
import type { BotContext } from '../context.js';
import { isUuid } from '../../../core/ids.js';
import { UserMistake } from '../error-boundary.js';
import { describeFailure } from '../words.js';
import { answerPrivately } from './private-command.js';

/** A full job id, or the short 8-character form /jobs shows, matched among the caller's own unfinished jobs. */
async function resolveJobId(ctx: BotContext, viewer: Viewer, given: string): Promise<string> {
  const text = given.trim().toLowerCase();
  if (isUuid(text)) return text;
  if (!/^[0-9a-f]{4,35}$/.test(text)) throw new UserMistake('The `job` option must be a job id, as `/jobs` shows it.');
  const mine = await ctx.service.listJobs(viewer, 'mine', ['queued', 'running'], 100);
  const matches = mine.ok ? mine.value.filter((job) => job.id.startsWith(text)) : [];
  if (matches.length === 0) throw new UserMistake('You have no queued or running job with that id. `/jobs` lists them.');
  if (matches.length > 1) throw new UserMistake('More than one of your jobs starts with that id; give a few more characters.');
  return matches[0]!.id;
}

export async function handleCancel(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'cancel', async ({ responder, viewer }) => {
    const jobId = await resolveJobId(ctx, viewer, interaction.options.getString('job', true));
    const outcome = await ctx.service.cancel(viewer, jobId);
    await responder.say(outcome.ok ? `Cancelled job \`${jobId.slice(0, 8)}\`.` : describeFailure(outcome, 'cancel'));
  });
}
