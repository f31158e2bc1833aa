import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { MAX_CHARACTER_REFERENCES } from '../../../core/characters/character-service.js';
import { fail } from '../../../core/outcome.js';
import { can } from '../../../core/policy/permissions.js';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake, withErrorBoundary } from '../error-boundary.js';
import { escapeSlackText } from '../escape.js';
import { parseCommandFlags } from '../flags.js';
import { uploadFromSlackFile } from '../slack-files.js';
import { failureText } from '../words.js';
import { grammarMistake } from './ephemeral-command.js';

const PICTURE_MODAL = 'character_picture_modal';
export const PICTURE_USAGE = '`/character picture <name> [--project <slug>]` (moderators; opens a form to add reference pictures)';

/** `/character picture ...`: the one verb that opens a form (the command line carries no file). */
export const isPictureCommand = (text: string): boolean => /^picture(\s|$)/i.test(text.trim());

interface PictureTarget {
  channel: string;
  name: string;
  project?: string;
}

/**
 * Opens the form at once: the trigger lives 3 s, so nothing is looked up first. The role is asked
 * when the form comes back, before any file is fetched (the core asks again when it saves).
 */
export async function openCharacterPicture(deps: SlackFeatureDeps, { command, ack, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> {
  await ack();
  const place = { teamId: command.team_id, userId: command.user_id, channelId: command.channel_id };
  const tell = (text: string) => respond({ response_type: 'ephemeral', text });
  await withErrorBoundary(deps.log, { command: '/character picture', ...place }, tell, async () => {
    const parsed = parseCommandFlags(command.text.trim().replace(/^picture\s*/i, ''), ['project']);
    if (!parsed.ok) throw grammarMistake(parsed.error, PICTURE_USAGE);
    const name = parsed.positional.join(' ');
    if (!name) throw new UserMistake(`\`/character picture\` needs a character name.\nUsage: ${PICTURE_USAGE}`);
    const project = parsed.flags.get('project');
    const target: PictureTarget = { channel: place.channelId, name, ...(project ? { project } : {}) };
    await client.views.open({
      trigger_id: command.trigger_id,
      view: {
        type: 'modal',
        callback_id: PICTURE_MODAL,
        private_metadata: JSON.stringify(target),
        title: { type: 'plain_text', text: 'Reference pictures' },
        submit: { type: 'plain_text', text: 'Add' },
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `Pictures of *${escapeSlackText(name)}*: \`/generate\` with this character sends them to the image server.` } },
          {
            type: 'input',
            block_id: 'images',
            label: { type: 'plain_text', text: `Pictures (PNG, JPEG or WebP; up to ${MAX_CHARACTER_REFERENCES})` },
            element: { type: 'file_input', action_id: 'value', filetypes: ['png', 'jpg', 'jpeg', 'webp'], max_files: MAX_CHARACTER_REFERENCES },
          },
        ],
      },
    });
  });
}

type StateValues = Record<string, Record<string, { files?: Array<{ id?: unknown }> }>>;

export function registerCharacterPictureModal(app: App, deps: SlackFeatureDeps): void {
  app.view(PICTURE_MODAL, async ({ ack, view, body, client }) => {
    const fileIds = ((view.state.values as StateValues).images?.value?.files ?? []).map((f) => f.id).filter((id): id is string => typeof id === 'string');
    const target = readTarget(view.private_metadata);
    if (fileIds.length === 0 || !target) {
      await ack({ response_action: 'errors', errors: { images: 'Add at least one picture.' } });
      return;
    }
    await ack();
    const place = { teamId: body.team?.id ?? view.team_id, userId: body.user.id, channelId: target.channel };
    const tell = (text: string) => client.chat.postEphemeral({ channel: place.channelId, user: place.userId, text });
    await withErrorBoundary(deps.log, { view: PICTURE_MODAL, ...place }, tell, async () => {
      const viewer = await deps.service.identify(await deps.actors.actor(place));
      // Before anything is downloaded or stored: a member's files are never fetched.
      if (!can({ role: viewer.role, userId: viewer.identity.userId }, 'manage_characters')) {
        await tell(failureText(fail({ reason: 'not_permitted', action: 'change_characters' })));
        return;
      }
      const uploadIds: string[] = [];
      for (const fileId of fileIds) {
        const stored = await uploadFromSlackFile(deps, client, viewer, fileId, 'images');
        if (!stored.ok) {
          await tell(failureText(stored));
          return;
        }
        uploadIds.push(stored.value);
      }
      const scope = target.project ? { project: target.project } : {};
      const saved = await deps.characters.setReferences(viewer, target.name, uploadIds, 'add', scope);
      if (!saved.ok) {
        await tell(failureText(saved));
        return;
      }
      const c = saved.value;
      const added = uploadIds.length === 1 ? 'a reference picture' : `${uploadIds.length} reference pictures`;
      await tell(`Added ${added} to *${escapeSlackText(c.name)}* (${c.referenceImages.length} now); \`/generate --character ${escapeSlackText(c.name)}\` sends them to the image server.`);
    });
  });
}

function readTarget(metadata: string): PictureTarget | undefined {
  try {
    const t = JSON.parse(metadata) as Partial<PictureTarget>;
    if (typeof t.channel !== 'string' || !/^[CDG][A-Z0-9]+$/.test(t.channel) || typeof t.name !== 'string' || t.name === '') return undefined;
    return { channel: t.channel, name: t.name, ...(typeof t.project === 'string' ? { project: t.project } : {}) };
  } catch {
    return undefined;
  }
}
