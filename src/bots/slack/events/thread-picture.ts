import type { App } from '@slack/bolt';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake, withErrorBoundary } from '../error-boundary.js';
import { escapeSlackText } from '../escape.js';
import { FLAG_USAGE, parseGenerateText } from '../flags.js';
import { startGeneration } from '../generation.js';
import { uploadFromSlackFile } from '../slack-files.js';
import { failureText } from '../words.js';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

/**
 * The thread gesture's prompt: `generate <prompt> [flags]`, or the bot mentioned first (`@bot
 * <prompt> [flags]`). Anything else in a thread is conversation and is left alone.
 */
export function threadPrompt(text: string, botUserId: string | undefined): string | undefined {
  let rest = text.trim();
  const mention = botUserId ? new RegExp(`^<@${botUserId}(?:\\|[^>]*)?>\\s*`) : undefined;
  const mentioned = mention?.test(rest) ?? false;
  if (mention) rest = rest.replace(mention, '');
  const keyword = /^generate(?:\s+|$)/i.exec(rest);
  if (!keyword && !mentioned) return undefined;
  return keyword ? rest.slice(keyword[0].length) : rest;
}

/**
 * A picture shared in a thread with a prompt (issue 14 item 1): Slack sends it as a `message`
 * event of subtype `file_share` carrying `files`; the first picture is read like the /generate
 * form's (files.info, url_private with the bot token, the upload intake) and the job starts from
 * it, posted like any /generate. Refusals are told privately in the channel.
 */
export function registerThreadPicture(app: App, deps: SlackFeatureDeps): void {
  app.event('message', async ({ event, context, client, body }) => {
    if (event.subtype !== 'file_share' || !event.thread_ts || event.thread_ts === event.ts) return;
    const text = threadPrompt(event.text ?? '', context.botUserId);
    if (text === undefined) return;
    const teamId = context.teamId ?? (body as { team_id?: string }).team_id ?? '';
    const place = { teamId, userId: event.user, channelId: event.channel };
    const tell = (words: string) => client.chat.postEphemeral({ channel: place.channelId, user: place.userId, thread_ts: event.thread_ts, text: words });
    await withErrorBoundary(deps.log, { event: 'message.file_share', ...place }, tell, async () => {
      if (text.trim() === '') throw new UserMistake('Write what to draw after `generate`, with the picture attached.');
      const flags = parseGenerateText(text);
      if (!flags.ok) throw new UserMistake(escapeSlackText(`${flags.error.charAt(0).toUpperCase()}${flags.error.slice(1)}.\nUsage, in a thread with the picture attached: ${FLAG_USAGE.replace('/generate', 'generate')}`));
      const picture = (event.files ?? []).find((f) => IMAGE_TYPES.has(f.mimetype ?? '')) ?? event.files?.[0];
      if (!picture?.id) throw new UserMistake('Attach the picture to the message that says `generate`.');
      const viewer = await deps.service.identify(await deps.actors.actor(place));
      const stored = await uploadFromSlackFile(deps, client, viewer, picture.id, 'image');
      if (!stored.ok) {
        await tell(failureText(stored));
        return;
      }
      await startGeneration(deps, place, { ...flags.value, referenceImage: stored.value }, { tell });
    });
  });
}
