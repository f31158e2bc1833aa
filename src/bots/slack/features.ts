import type { App } from '@slack/bolt';
import { registerJobButtons } from './actions/job-buttons.js';
import { registerConfigCommand } from './commands/admin-config.js';
import { registerTokenCommand } from './commands/api-token.js';
import { registerCancelCommand } from './commands/cancel.js';
import { registerCharacterCommand } from './commands/character.js';
import { registerGalleryCommands } from './commands/gallery.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerGenerateModal } from './commands/generate-modal.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerProjectCommand } from './commands/project.js';
import { registerUsageCommand } from './commands/usage.js';
import { registerBackendCommand } from './commands/backend.js';
import type { SlackFeatureDeps } from './deps.js';
import { registerThreadPicture } from './events/thread-picture.js';
import { registerGenerateImageStep } from './workflow/generate-image-step.js';

/**
 * Every Slack feature, registered on the Bolt App explicitly (the counterpart of Discord's router).
 * The App, its clients and the reply tracker are built in src/app/slack-part.ts.
 */
export function registerSlackFeatures(app: App, deps: SlackFeatureDeps): void {
  registerGenerateCommand(app, deps);
  registerGenerateModal(app, deps);
  registerThreadPicture(app, deps);
  registerJobsCommand(app, deps);
  registerCancelCommand(app, deps);
  registerConfigCommand(app, deps);
  registerTokenCommand(app, deps);
  registerProjectCommand(app, deps);
  registerCharacterCommand(app, deps);
  registerGalleryCommands(app, deps);
  registerUsageCommand(app, deps);
  registerBackendCommand(app, deps);
  registerJobButtons(app, deps);
  registerGenerateImageStep(app, deps);
  app.error(async (error) => {
    deps.log.error({ err: error }, 'unhandled error in a Slack listener');
  });
}
