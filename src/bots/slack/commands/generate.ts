import type { App } from '@slack/bolt';
import type { SlackFeatureDeps } from '../deps.js';
import { withErrorBoundary, UserMistake } from '../error-boundary.js';
import { escapeSlackText } from '../escape.js';
import { FLAG_USAGE, parseGenerateText } from '../flags.js';
import { startGeneration } from '../generation.js';
import { openGenerateModal } from './generate-modal.js';

/** `/generate <prompt> [flags]`; with no text it opens the modal instead. */
export function registerGenerateCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/generate', async ({ command, ack, respond, client }) => {
    // Ack first, before any Slack or database call: Slack gives up after 3 s.
    await ack();
    const place = { teamId: command.team_id, userId: command.user_id, channelId: command.channel_id };
    const tell = (text: string) => respond({ response_type: 'ephemeral', text });
    await withErrorBoundary(deps.log, { command: '/generate', ...place }, tell, async () => {
      if (command.text.trim() === '') {
        await openGenerateModal(client, command.trigger_id, place.channelId);
        return;
      }
      const flags = parseGenerateText(command.text);
      if (!flags.ok) throw new UserMistake(escapeSlackText(`${capitalize(flags.error)}.\nUsage: ${FLAG_USAGE}`));
      await startGeneration(deps, place, flags.value, { tell });
    });
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
