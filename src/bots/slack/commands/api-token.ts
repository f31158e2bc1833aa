import type { App } from '@slack/bolt';
import { isRole } from '../../../core/roles.js';
import type { SlackFeatureDeps } from '../deps.js';
import { withErrorBoundary, UserMistake } from '../error-boundary.js';
import { failureText } from '../words.js';

const USAGE = 'Usage: `/anime-token @user [viewer|creator|moderator|admin] [days]` — an HTTP API token for that person (admins).';

/** A user as Slack escapes it (`<@U123|name>`) or a bare id. */
function readUser(word: string | undefined): string | undefined {
  return (/^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word ?? '') ?? /^([UW][A-Z0-9]{2,})$/.exec(word ?? ''))?.[1];
}

/** `/anime-token`: issues an API token; shown only to the admin who asked (ephemeral). */
export function registerTokenCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/anime-token', async ({ command, ack, respond }) => {
    await ack();
    const place = { teamId: command.team_id, userId: command.user_id, channelId: command.channel_id };
    const tell = (text: string) => respond({ response_type: 'ephemeral', text });
    await withErrorBoundary(deps.log, { command: '/anime-token', ...place }, tell, async () => {
      const [who, roleWord, daysWord] = command.text.trim().split(/\s+/).filter(Boolean);
      const subject = readUser(who);
      const role = roleWord ?? 'creator';
      const days = daysWord === undefined ? 30 : Number(daysWord);
      if (!subject || !isRole(role) || !Number.isInteger(days)) throw new UserMistake(USAGE);
      const viewer = await deps.service.identify(await deps.actors.actor(place));
      const issued = await deps.admin.issueToken(viewer, { subject, role, days, platform: 'slack', space: place.teamId });
      if (!issued.ok) return void (await tell(failureText(issued)));
      await tell(`API token for \`${subject}\` as ${role}, valid until ${issued.value.expiresAt.toISOString().slice(0, 10)} (id \`${issued.value.tokenId}\`):\n\`\`\`${issued.value.token}\`\`\``);
    });
  });
}
