import type { App } from '@slack/bolt';
import type { FarmBackend } from '../../../core/farm-admin.js';
import { backendSentence, NO_BACKENDS } from '../../../infra/backend-sentences.js';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake } from '../error-boundary.js';
import { escapeSlackText } from '../escape.js';
import { ephemeralCommand, unwrap } from './ephemeral-command.js';

const USAGE = '`/backend list | drain <name> | resume <name>` (admins)';

/** One backend per line, in this adapter's markup. */
export function backendLine(b: FarmBackend): string {
  return backendSentence(b, { name: (n) => `*${escapeSlackText(n)}*`, server: (s) => `\`${escapeSlackText(s)}\`` });
}

/** `/backend`: the farm's backends, and drain/resume one by name. */
export function registerBackendCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/backend', ephemeralCommand(deps, '/backend', async ({ text, viewer }) => {
    const [action = 'list', name, ...rest] = text.trim().split(/\s+/).filter(Boolean);
    if (action === 'list' && name === undefined) {
      const backends = unwrap(await deps.farm.list(await viewer()));
      return backends.length === 0 ? NO_BACKENDS : ['*Backends*', ...backends.map(backendLine)].join('\n');
    }
    if ((action === 'drain' || action === 'resume') && name !== undefined && rest.length === 0) {
      const changed = unwrap(await deps.farm.setDrained(await viewer(), name.toLowerCase(), action === 'drain'));
      return action === 'drain'
        ? `*${escapeSlackText(changed.name)}* is drained: it finishes the job it runs and takes no more until \`/backend resume ${escapeSlackText(changed.name)}\`.`
        : `*${escapeSlackText(changed.name)}* takes work again.`;
    }
    throw new UserMistake(`Usage: ${USAGE}`);
  }));
}
