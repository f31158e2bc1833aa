import type { ButtonInteraction } from 'discord.js';
import { viewerOf, type BotContext } from '../context.js';
import { parseButtonId, parseOutputButtonId } from '../custom-ids.js';
import { withBoundary } from '../error-boundary.js';
import { Responder } from '../responder.js';
import { describeFailure } from '../words.js';
import { startJob } from './start-job.js';

/** Re-roll, Delete, Cancel, and V1…/U1… per output. The job id rides in the custom id, so any process can answer. */
export async function handleButton(ctx: BotContext, interaction: ButtonInteraction): Promise<boolean> {
  const fromOutput = parseOutputButtonId(interaction.customId);
  if (fromOutput) {
    const { jobId, output } = fromOutput;
    const relation = fromOutput.action === 'vary' ? 'variation' : 'upscale';
    // Like Re-roll: the child job gets its own live message, the click's own reply.
    const responder = new Responder(interaction);
    await withBoundary(responder, ctx.log, `button:${fromOutput.action}`, () =>
      startJob(ctx, interaction, responder, 'reroll', (actor, reply) => ctx.service.fromOutput(actor, jobId, relation, output, reply)),
    );
    return true;
  }
  const parsed = parseButtonId(interaction.customId);
  if (!parsed) return false;
  const responder = new Responder(interaction);
  const { jobId } = parsed;
  await withBoundary(responder, ctx.log, `button:${parsed.action}`, async () => {
    switch (parsed.action) {
      case 'reroll':
        // A new job gets a new message: the button's own interaction replies with it.
        await startJob(ctx, interaction, responder, 'reroll', (actor, reply) => ctx.service.reroll(actor, jobId, reply));
        return;
      case 'cancel': {
        await responder.deferPrivate();
        const { viewer } = await viewerOf(ctx, interaction);
        const outcome = await ctx.service.cancel(viewer, jobId);
        // The job's own message shows "Cancelled" through the tracker when the event arrives.
        await responder.say(outcome.ok ? 'Cancelled.' : describeFailure(outcome, 'cancel'));
        return;
      }
      case 'delete': {
        await responder.deferUpdate();
        const { viewer } = await viewerOf(ctx, interaction);
        const outcome = await ctx.service.deleteOutputs(viewer, jobId);
        if (!outcome.ok) {
          await responder.say(describeFailure(outcome, 'delete'));
          return;
        }
        await responder.editOriginal({
          content: `🗑️ Image deleted by <@${interaction.user.id}>.`,
          embeds: [],
          files: [],
          attachments: [],
          components: [],
        });
        return;
      }
    }
  });
  return true;
}
