import type { App, types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Outcome } from '../../../core/outcome.js';
import type { SlackFeatureDeps, SlackPlace } from '../deps.js';
import { failureText } from '../words.js';
import { withErrorBoundary } from '../error-boundary.js';
import { parseGenerateText, type GenerateFlags } from '../flags.js';
import { startGeneration } from '../generation.js';
import { uploadFromSlackFile } from '../slack-files.js';

const GENERATE_MODAL = 'generate_modal';

const input = (blockId: string, label: string, element: types.InputBlockElement, optional = true): types.InputBlock => ({
  type: 'input', block_id: blockId, optional, label: { type: 'plain_text', text: label }, element,
});
const option = (text: string, value = text): types.PlainTextOption => ({ text: { type: 'plain_text', text }, value });

export async function openGenerateModal(client: WebClient, triggerId: string, channelId: string): Promise<void> {
  await client.views.open({
    trigger_id: triggerId,
    view: {
      type: 'modal',
      callback_id: GENERATE_MODAL,
      private_metadata: JSON.stringify({ channel: channelId }),
      title: { type: 'plain_text', text: 'Generate an image' },
      submit: { type: 'plain_text', text: 'Generate' },
      blocks: [
        input('prompt', 'Prompt', { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 }, false),
        input('negative', 'Negative prompt', { type: 'plain_text_input', action_id: 'value', max_length: 3000 }),
        input('ar', 'Aspect ratio', { type: 'static_select', action_id: 'value', options: [option('2:3'), option('1:1'), option('3:2')] }),
        input('seed', 'Seed', { type: 'plain_text_input', action_id: 'value', max_length: 12 }),
        input('count', 'Images', { type: 'static_select', action_id: 'value', options: ['1', '2', '3', '4'].map((n) => option(n)) }),
        // Free text, not a select: listing projects before views.open would eat into the 3 s trigger.
        input('project', 'Project (slug; empty: the channel\'s project)', { type: 'plain_text_input', action_id: 'value', max_length: 64 }),
        input('characters', 'Characters (names, comma separated, in merge order)', { type: 'plain_text_input', action_id: 'value', max_length: 300 }),
        input('model', 'Model (id; empty: the default)', { type: 'plain_text_input', action_id: 'value', max_length: 48 }),
        input('image', 'Reference picture (PNG, JPEG or WebP; optional)', { type: 'file_input', action_id: 'value', filetypes: ['png', 'jpg', 'jpeg', 'webp'], max_files: 1 }),
        input('strength', 'How much the picture shapes the result (0-1; empty: 0.6)', { type: 'plain_text_input', action_id: 'value', max_length: 4 }),
      ],
    },
  });
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null; files?: Array<{ id?: unknown }> }>>;

/** The modal's picture and strength, beside the flags (the command line has no file to give). */
export interface ModalReference {
  fileId: string | undefined;
  strength: number | undefined;
}

export function modalReference(values: StateValues): { ok: true; value: ModalReference } | { ok: false; errors: Record<string, string> } {
  const file = values.image?.value?.files?.[0]?.id;
  const rawStrength = (values.strength?.value?.value ?? '').trim();
  const strength = rawStrength === '' ? undefined : Number(rawStrength);
  if (strength !== undefined && !(Number.isFinite(strength) && strength >= 0 && strength <= 1)) return { ok: false, errors: { strength: 'Write a number from 0 to 1.' } };
  if (strength !== undefined && typeof file !== 'string') return { ok: false, errors: { strength: 'Add a reference picture, or leave this empty.' } };
  return { ok: true, value: { fileId: typeof file === 'string' ? file : undefined, strength } };
}

/** The modal's file, through the same intake as POST /api/uploads; its upload id becomes the referenceImage. */
async function referenceFromFile(deps: SlackFeatureDeps, client: WebClient, place: SlackPlace, fileId: string): Promise<Outcome<string>> {
  const viewer = await deps.service.identify(await deps.actors.actor(place));
  return uploadFromSlackFile(deps, client, viewer, fileId, 'image');
}

/**
 * The modal's fields go through the same flag grammar as the command, so there is one set of
 * rules and one set of error messages; errors are shown next to the field at fault.
 */
export function modalToFlags(values: StateValues): { ok: true; value: GenerateFlags } | { ok: false; errors: Record<string, string> } {
  const field = (block: string) => {
    const v = values[block]?.value;
    return (v?.selected_option?.value ?? v?.value ?? '').trim();
  };
  const prompt = field('prompt');
  if (prompt === '') return { ok: false, errors: { prompt: 'Write what to draw.' } };
  // Flags typed inside the prompt box are refused by the grammar, not silently applied.
  const checked = parseGenerateText(prompt);
  if (!checked.ok) return { ok: false, errors: { prompt: checked.error } };
  const flags: GenerateFlags = { prompt };
  for (const [block, flag] of [['negative', 'negative'], ['ar', 'ar'], ['seed', 'seed'], ['count', 'count'], ['project', 'project'], ['characters', 'character'], ['model', 'model']] as const) {
    const raw = field(block);
    if (raw === '') continue;
    const parsed = parseGenerateText(`x --${flag} ${raw}`);
    if (!parsed.ok) return { ok: false, errors: { [block]: parsed.error } };
    const { prompt: _x, ...rest } = parsed.value;
    Object.assign(flags, rest);
  }
  return { ok: true, value: flags };
}

export function registerGenerateModal(app: App, deps: SlackFeatureDeps): void {
  app.view(GENERATE_MODAL, async ({ ack, view, body, client }) => {
    const parsed = modalToFlags(view.state.values as StateValues);
    const reference = modalReference(view.state.values as StateValues);
    if (!parsed.ok || !reference.ok) {
      await ack({ response_action: 'errors', errors: { ...(parsed.ok ? {} : parsed.errors), ...(reference.ok ? {} : reference.errors) } });
      return;
    }
    await ack();
    const channelId = readChannel(view.private_metadata) ?? body.user.id;
    const place = { teamId: body.team?.id ?? view.team_id, userId: body.user.id, channelId };
    const tell = (text: string) => client.chat.postEphemeral({ channel: channelId, user: body.user.id, text });
    await withErrorBoundary(deps.log, { view: GENERATE_MODAL, ...place }, tell, async () => {
      let request: GenerateFlags & { referenceImage?: string; strength?: number } = parsed.value;
      // After the ack: the download may take longer than Slack's 3 seconds.
      if (reference.value.fileId) {
        const stored = await referenceFromFile(deps, client, place, reference.value.fileId);
        if (!stored.ok) {
          await tell(failureText(stored));
          return;
        }
        request = { ...request, referenceImage: stored.value, ...(reference.value.strength === undefined ? {} : { strength: reference.value.strength }) };
      }
      await startGeneration(deps, place, request, { tell });
    });
  });
}

function readChannel(metadata: string): string | undefined {
  try {
    const channel = (JSON.parse(metadata) as { channel?: unknown }).channel;
    return typeof channel === 'string' && /^[CDG][A-Z0-9]+$/.test(channel) ? channel : undefined;
  } catch {
    return undefined;
  }
}
