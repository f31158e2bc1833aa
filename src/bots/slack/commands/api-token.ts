import type { App } from '@slack/bolt';
import { isRole } from '../../../core/roles.js';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake } from '../error-boundary.js';
import { ephemeralCommand, unwrap } from './ephemeral-command.js';

const USAGE = 'Usage: `/anime-token @user [viewer|creator|moderator|admin] [days]` — an HTTP API token for that person (admins).';

/** A user as Slack escapes it (`<@U123|name>`) or a bare id. */
function readUser(word: string | undefined): string | undefined {
  return (/^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word ?? '') ?? /^([UW][A-Z0-9]{2,})$/.exec(word ?? ''))?.[1];
}

/** `/anime-token`: issues an API token; shown only to the admin who asked (ephemeral). */
export function registerTokenCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/anime-token', ephemeralCommand(deps, '/anime-token', async ({ text, place, viewer }) => {
    const [who, roleWord, daysWord] = text.split(/\s+/).filter(Boolean);
    const subject = readUser(who);
    const role = roleWord ?? 'creator';
    const days = daysWord === undefined ? 30 : Number(daysWord);
    if (!subject || !isRole(role) || !Number.isInteger(days)) throw new UserMistake(USAGE);
    const issued = unwrap(await deps.admin.issueToken(await viewer(), { subject, role, days, platform: 'slack', space: place.teamId }));
    return `API token for \`${subject}\` as ${role}, valid until ${issued.expiresAt.toISOString().slice(0, 10)} (id \`${issued.tokenId}\`):\n\`\`\`${issued.token}\`\`\``;
  }));
}
