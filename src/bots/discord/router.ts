import type { Interaction } from 'discord.js';
import type { BotContext } from './context.js';
import { handleAutocomplete } from './features/autocomplete.js';
import { handleBrowse, handleGallery } from './features/browse.js';
import { handleButton } from './features/buttons.js';
import { handleCancel } from './features/cancel.js';
import { handleCharacter } from './features/character.js';
import { handleConfig } from './features/config.js';
import { handleBackend } from './features/backend.js';
import { handleGenerate } from './features/generate.js';
import { handleJobs } from './features/jobs.js';
import { handleProject } from './features/project.js';
import { handleToken } from './features/token.js';
import { handleUsage } from './features/usage.js';

const COMMANDS = {
  generate: handleGenerate,
  jobs: handleJobs,
  cancel: handleCancel,
  config: handleConfig,
  token: handleToken,
  project: handleProject,
  character: handleCharacter,
  history: handleBrowse,
  search: handleBrowse,
  gallery: handleGallery,
  usage: handleUsage,
  backend: handleBackend,
} as const;

/** Every interaction goes to exactly one feature; each feature has its own error boundary. */
export async function routeInteraction(ctx: BotContext, interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand()) {
    const handler = COMMANDS[interaction.commandName as keyof typeof COMMANDS];
    if (handler) await handler(ctx, interaction);
    else ctx.log.warn({ command: interaction.commandName }, 'unknown slash command (are the deployed commands current?)');
    return;
  }
  if (interaction.isAutocomplete()) {
    await handleAutocomplete(ctx, interaction);
    return;
  }
  if (interaction.isButton() && !(await handleButton(ctx, interaction))) {
    ctx.log.debug({ customId: interaction.customId }, 'button that is not ours');
  }
}
