import { ButtonStyle, ComponentType, escapeMarkdown, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIEmbed } from 'discord.js';
import type { JobRecord } from '../../core/records.js';
import { groupOutputs } from '../../core/outputs.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import { buttonId } from './custom-ids.js';
import type { ReplyView } from './views.js';
import { ordinal } from './words.js';

/** Nobody is ever pinged by anything we post: prompts are user text (DESIGN, Platform facts). */
export const NO_MENTIONS = { parse: [] as never[] };

export interface JobSummary {
  jobId: string;
  prompt: string;
  /** Discord user id of the author, named (never pinged) in channel-mode messages. */
  userId: string;
  projectSlug: string;
}

export interface RenderContext {
  mode: 'interaction' | 'channel';
  /** The signed gallery link of the job's project (gallery-link.ts, replyProjectUrl). */
  projectUrl(job: JobRecord): string;
  links: MediaLinks;
  attachmentLimit: number;
}

/** A file to upload with the message; its bytes are read only when the message is really sent. */
export interface FileToSend {
  name: string;
  storageKey: string;
  contentType: string;
}

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

const BAR_CELLS = 12;

export function progressBar(percent: number): string {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((clamped / 100) * BAR_CELLS);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function button(label: string, style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger, customId: string) {
  return { type: ComponentType.Button as const, style, label, custom_id: customId };
}

function row(...buttons: ReturnType<typeof button>[]): APIActionRowComponent<APIComponentInMessageActionRow> {
  return { type: ComponentType.ActionRow, components: buttons };
}

function statusLine(view: ReplyView): string {
  switch (view.kind) {
    case 'queued':
      return `⏳ Queued — ${ordinal(view.position)} in line`;
    case 'started':
      return `🎨 Starting on ${view.backend}…`;
    case 'progress': {
      const stage = view.stage ? view.stage[0]!.toUpperCase() + view.stage.slice(1) : 'Generating';
      return `🎨 ${stage} — step ${view.step} of ${view.totalSteps}\n\`${progressBar(view.percent)}\` ${view.percent}%`;
    }
    case 'saving':
      return `💾 Saving — \`${progressBar(view.percent)}\` ${view.percent}%`;
    case 'retrying':
      return '🔁 The image backend had a problem; trying again…';
    case 'completed':
      return '✅ Done';
    case 'failed':
      return `❌ The image could not be made (${view.code}).${view.ref ? ` Reference: \`${view.ref}\`` : ''} Re-roll to try again.`;
    case 'cancelled':
      return view.by === 'moderator' ? '🚫 Cancelled by a moderator.' : '🚫 Cancelled.';
  }
}

/** The whole message for a view. Everything the user typed is escaped and never pings. */
export function renderReply(job: JobSummary, view: ReplyView, ctx: RenderContext): OutgoingMessage {
  const lines: string[] = [];
  if (ctx.mode === 'channel') lines.push(`<@${job.userId}>'s image — continued here because the first reply expired.`);
  lines.push(`**${escapeMarkdown(truncate(job.prompt, 300))}**`, statusLine(view));
  const message: OutgoingMessage = {
    body: { content: lines.join('\n'), embeds: [], components: [], attachments: [], allowed_mentions: NO_MENTIONS },
    files: [],
  };
  if (view.kind === 'completed') return renderFinal(job, view, ctx, message);
  if (view.kind === 'failed' || view.kind === 'cancelled') {
    message.body.components = [row(button('Re-roll', ButtonStyle.Primary, buttonId('reroll', job.jobId)))];
  } else {
    message.body.components = [row(button('Cancel', ButtonStyle.Secondary, buttonId('cancel', job.jobId)))];
  }
  return message;
}

function renderFinal(job: JobSummary, view: Extract<ReplyView, { kind: 'completed' }>, ctx: RenderContext, message: OutgoingMessage): OutgoingMessage {
  const links: string[] = [];
  let imageUrl: string | undefined;
  for (const { original, webp } of groupOutputs(view.assets)) {
    // The WebP derivative is the light one to attach; the original stays a link to the full file.
    const shown = webp ?? original;
    const number = original.outputIndex + 1;
    links.push(`[Full size ${number}](${ctx.links.url(original.id)})`);
    if (shown.bytes <= ctx.attachmentLimit) {
      const name = `image-${number}.${shown.mime === 'image/webp' ? 'webp' : (shown.mime.split('/')[1] ?? 'bin')}`;
      message.files.push({ name, storageKey: shown.storageKey, contentType: shown.mime });
      imageUrl ??= `attachment://${name}`;
    } else {
      imageUrl ??= ctx.links.url(shown.id);
    }
  }
  const project = ctx.projectUrl(view.job);
  const embed: APIEmbed = {
    title: 'Finished',
    url: project,
    description: `${escapeMarkdown(truncate(job.prompt, 1000))}\n\n${links.join(' · ')}\nProject: [${escapeMarkdown(job.projectSlug)}](${project})`,
    fields: [
      { name: 'Seed', value: String(view.seed), inline: true },
      { name: 'Size', value: `${view.job.width}×${view.job.height}`, inline: true },
      { name: 'Backend', value: view.backend, inline: true },
      { name: 'Time', value: `${(view.durationMs / 1000).toFixed(1)} s`, inline: true },
    ],
    ...(imageUrl ? { image: { url: imageUrl } } : {}),
  };
  message.body.embeds = [embed];
  message.body.attachments = message.files.map((f, id) => ({ id, filename: f.name }));
  message.body.components = [
    row(button('Re-roll', ButtonStyle.Primary, buttonId('reroll', job.jobId)), button('Delete', ButtonStyle.Danger, buttonId('delete', job.jobId))),
  ];
  return message;
}

/** Two renders that would look the same: no edit is sent (file bytes are keyed by name and key). */
export function sameMessage(a: OutgoingMessage | undefined, b: OutgoingMessage): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
