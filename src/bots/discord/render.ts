import { ButtonStyle, ComponentType, escapeMarkdown, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIEmbed } from 'discord.js';
import { ordinal, progressBar } from '../../core/job-message/bar.js';
import { buttons, isFinal, outputButtonLabel, outputButtons, type Button, type JobFacts, type JobMessage } from '../../core/job-message/model.js';
import type { Eta } from '../../core/wait/estimate.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import { buttonId, outputButtonId } from './custom-ids.js';
import { describeJobError, describeQualityNoteWords } from './words.js';

export { progressBar };

/** Nobody is ever pinged by anything we post: prompts are user text (DESIGN, Platform facts). */
export const NO_MENTIONS = { parse: [] as never[] };

export interface RenderContext {
  mode: 'interaction' | 'channel';
  /** The signed gallery link of the job's project (gallery-link.ts, replyProjectUrl). */
  projectUrl(job: JobFacts): string;
  links: Pick<MediaLinks, 'url'>;
  attachmentLimit: number;
}

/**
 * A file to upload with the message; its bytes are read only when the message is really sent:
 * a stored output by its key, or the job's live preview (which may be gone by then).
 */
export type FileToSend = { name: string; contentType: string } & ({ storageKey: string } | { preview: { jobId: string; seq: number } });

/** The live preview's one attachment: each edit replaces it (Discord keeps only the listed attachments). */
export const PREVIEW_FILE = 'preview.webp';

export interface OutgoingMessage {
  body: {
    content: string;
    embeds: APIEmbed[];
    components: APIActionRowComponent<APIComponentInMessageActionRow>[];
    attachments: Array<{ id: number; filename: string }>;
    allowed_mentions: typeof NO_MENTIONS;
  };
  files: FileToSend[];
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const BUTTONS: Record<Button, { label: string; style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger }> = {
  cancel: { label: 'Cancel', style: ButtonStyle.Secondary },
  reroll: { label: 'Re-roll', style: ButtonStyle.Primary },
  delete: { label: 'Delete', style: ButtonStyle.Danger },
};

function buttonRow(message: JobMessage): APIActionRowComponent<APIComponentInMessageActionRow> {
  return {
    type: ComponentType.ActionRow,
    components: buttons(message).map((b) => ({ type: ComponentType.Button as const, style: BUTTONS[b].style, label: BUTTONS[b].label, custom_id: buttonId(b, message.job.jobId) })),
  };
}

/** V1 V2 … on one row and U1 U2 … on the next (at most 4 outputs: within Discord's 5 buttons per row, 5 rows). */
function outputRows(message: JobMessage): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const all = outputButtons(message);
  return (['variation', 'upscale'] as const)
    .map((action) => all.filter((b) => b.action === action).slice(0, 5))
    .filter((row) => row.length > 0)
    .map((row) => ({
      type: ComponentType.ActionRow,
      components: row.map((b) => ({
        type: ComponentType.Button as const,
        style: ButtonStyle.Secondary,
        label: outputButtonLabel(b),
        custom_id: outputButtonId(b.action === 'variation' ? 'vary' : 'upscale', message.job.jobId, b.output),
      })),
    }));
}

/** Discord's own timestamps: each reader sees them in their time zone, and the relative one counts down by itself. */
function waitText(eta: Eta | undefined): string {
  if (!eta) return '';
  const starts = Math.round(eta.startsAt / 1000);
  const finishes = Math.round(eta.finishesAt / 1000);
  return eta.approximate
    ? `\nExpected start about <t:${starts}:R>, done around <t:${finishes}:t> (a first guess: no times measured yet)`
    : `\nExpected start <t:${starts}:R>, done around <t:${finishes}:t>`;
}

function statusLine(m: JobMessage): string {
  switch (m.stage) {
    case 'queued':
      return `⏳ Queued — ${ordinal(m.position ?? 1)} in line${waitText(m.eta)}`;
    case 'starting':
      return m.retryReason === 'worker_stopped' ? `🔁 Retrying after a worker stopped — starting on ${m.backend ?? 'the image backend'}…` : `🎨 Starting on ${m.backend ?? 'the image backend'}…`;
    case 'running': {
      const activity = m.activity ? m.activity[0]!.toUpperCase() + m.activity.slice(1) : 'Generating';
      return `🎨 ${activity} — step ${m.step ?? 0} of ${m.totalSteps ?? 0}\n\`${progressBar(m.percent)}\` ${m.percent}%`;
    }
    case 'saving':
      return `💾 Saving — \`${progressBar(m.percent)}\` ${m.percent}%`;
    case 'retrying':
      return m.retryReason === 'worker_stopped' ? '🔁 Retrying after a worker stopped…' : '🔁 The image backend had a problem; trying again…';
    case 'completed':
      return m.qualityNote ? `⚠️ Done — ${describeQualityNoteWords(m.qualityNote)}` : '✅ Done';
    case 'failed':
      return `❌ The image could not be made. ${describeJobError(m.error)}${m.error?.ref ? ` Reference: \`${m.error.ref}\`` : ''} Re-roll to try again.`;
    case 'cancelled':
      return m.cancelledBy === 'moderator' ? '🚫 Cancelled by a moderator.' : '🚫 Cancelled.';
  }
}

/** The whole message for a state. Everything the user typed is escaped and never pings. */
export function renderReply(m: JobMessage, ctx: RenderContext): OutgoingMessage {
  const lines: string[] = [];
  if (ctx.mode === 'channel') lines.push(`<@${m.job.userExternalId}>'s image — continued here because the first reply expired.`);
  lines.push(`**${escapeMarkdown(truncate(m.job.prompt, 300))}**`, statusLine(m));
  const message: OutgoingMessage = {
    body: { content: lines.join('\n'), embeds: [], components: [buttonRow(m), ...outputRows(m)], attachments: [], allowed_mentions: NO_MENTIONS },
    files: [],
  };
  if (m.stage === 'completed') return renderFinal(m, ctx, message);
  return m.preview && !isFinal(m) ? withPreview(m.job.jobId, m.preview.seq, message) : message;
}

/**
 * The picture so far, uploaded with the edit: an attachment needs no public URL (Discord fetches
 * an embed's URL from its own servers, which never reach a PUBLIC_URL on a private network), and
 * the next edit's attachment list replaces it, so the final post never keeps it.
 */
function withPreview(jobId: string, seq: number, message: OutgoingMessage): OutgoingMessage {
  message.files.push({ name: PREVIEW_FILE, contentType: 'image/webp', preview: { jobId, seq } });
  message.body.embeds = [{ title: 'Live preview', image: { url: `attachment://${PREVIEW_FILE}` } }];
  message.body.attachments = [{ id: 0, filename: PREVIEW_FILE }];
  return message;
}

/** The same message without its preview (the preview was gone when the message went out). */
export function dropPreview(message: OutgoingMessage): OutgoingMessage {
  if (!message.files.some((f) => 'preview' in f)) return message;
  return { body: { ...message.body, embeds: [], attachments: [] }, files: [] };
}

function renderFinal(m: JobMessage, ctx: RenderContext, message: OutgoingMessage): OutgoingMessage {
  const links: string[] = [];
  let imageUrl: string | undefined;
  for (const { index, original, webp, thumbnail } of m.outputs) {
    // The WebP derivative is the light one to attach; the original stays a link to the full file.
    // An MP4 has no WebP: the clip itself is attached (Discord plays it), its poster fills the embed.
    const shown = webp ?? original;
    const isClip = shown.mime.startsWith('video/');
    const number = index + 1;
    links.push(`[${isClip ? 'Clip' : 'Full size'} ${number}](${ctx.links.url(original.assetId)})`);
    const poster = isClip && thumbnail ? ctx.links.url(thumbnail.assetId) : undefined;
    if (shown.storageKey && shown.bytes <= ctx.attachmentLimit) {
      const name = `${isClip ? 'clip' : 'image'}-${number}.${shown.mime === 'image/webp' ? 'webp' : (shown.mime.split('/')[1] ?? 'bin')}`;
      message.files.push({ name, storageKey: shown.storageKey, contentType: shown.mime });
      imageUrl ??= poster ?? `attachment://${name}`;
    } else {
      // Over the upload limit: the link above is the clip; the embed shows its poster.
      imageUrl ??= poster ?? ctx.links.url(shown.assetId);
    }
  }
  const project = ctx.projectUrl(m.job);
  const embed: APIEmbed = {
    title: 'Finished',
    url: project,
    description: `${escapeMarkdown(truncate(m.job.prompt, 1000))}\n\n${links.join(' · ')}\nProject: [${escapeMarkdown(m.job.projectSlug)}](${project})`,
    fields: [
      { name: 'Seed', value: String(m.seed ?? ''), inline: true },
      { name: 'Size', value: `${m.job.width}×${m.job.height}`, inline: true },
      { name: 'Backend', value: m.backend ?? 'unknown', inline: true },
      ...(m.job.model ? [{ name: 'Model', value: truncate(m.job.model, 100), inline: true }] : []),
      { name: 'Time', value: `${((m.durationMs ?? 0) / 1000).toFixed(1)} s`, inline: true },
    ],
    ...(imageUrl ? { image: { url: imageUrl } } : {}),
  };
  message.body.embeds = [embed];
  message.body.attachments = message.files.map((f, id) => ({ id, filename: f.name }));
  return message;
}
