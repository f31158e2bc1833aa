import sharp from 'sharp';
import { Errors, invalidFormBody } from './http.js';
import type { UploadedFile } from './multipart.js';
import { userJson } from './payloads.js';
import { snowflake } from './snowflake.js';
import type { Json, StoredAttachment, StoredMessage } from './types.js';
import type { World } from './world.js';

export const EPHEMERAL = 64;

export interface MessageContext {
  world: World;
  /** http://127.0.0.1:P — attachments are served from the fake itself so bots can download them. */
  origin: string;
  channelId: string;
  guildId: string | undefined;
  uploadLimit: number;
  type: number;
  webhookId?: string;
  interactionId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** Discord's documented length limits; a bot echoing a long prompt must hit them here as in production. */
function validate(json: Json): void {
  const content = str(json.content);
  if (content !== undefined && content.length > 2000) {
    throw invalidFormBody(['content'], 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  const embeds = arr(json.embeds);
  if (embeds.length > 10) throw invalidFormBody(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  const limit = (path: (string | number)[], value: unknown, max: number) => {
    const text = str(value);
    if (text === undefined) return;
    total += text.length;
    if (text.length > max) throw invalidFormBody(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  };
  for (const [i, embed] of embeds.entries()) {
    limit(['embeds', i, 'title'], embed.title, 256);
    limit(['embeds', i, 'description'], embed.description, 4096);
    limit(['embeds', i, 'footer', 'text'], (embed.footer as Json | undefined)?.text, 2048);
    limit(['embeds', i, 'author', 'name'], (embed.author as Json | undefined)?.name, 256);
    const fields = arr(embed.fields);
    if (fields.length > 25) throw invalidFormBody(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    for (const [j, field] of fields.entries()) {
      limit(['embeds', i, 'fields', j, 'name'], field.name, 256);
      limit(['embeds', i, 'fields', j, 'value'], field.value, 1024);
    }
  }
  if (total > 6000) throw invalidFormBody(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  if (arr(json.components).length > 5) {
    throw invalidFormBody(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  }
}

async function storeFile(file: UploadedFile, ctx: MessageContext, description: unknown): Promise<StoredAttachment> {
  if (file.data.length > ctx.uploadLimit) throw Errors.tooLarge();
  const id = snowflake();
  // Discord reports dimensions for media it can probe; for anything else they stay null.
  const meta = await sharp(file.data)
    .metadata()
    .catch(() => undefined);
  const width = meta?.width ?? null;
  const height = meta?.pageHeight ?? meta?.height ?? null;
  return {
    id,
    filename: file.filename,
    size: file.data.length,
    contentType: file.contentType,
    width,
    height,
    ...(typeof description === 'string' ? { description } : {}),
    url: `${ctx.origin}/attachments/${ctx.channelId}/${id}/${encodeURIComponent(file.filename)}`,
    data: file.data,
  };
}

/**
 * v10 semantics: with `attachments` present, the result is exactly that list: existing ones kept by id,
 * new ones taken from files[n] where n is the entry's id. Without it, uploaded files are added.
 */
async function resolveAttachments(
  json: Json,
  files: UploadedFile[],
  existing: StoredAttachment[],
  ctx: MessageContext,
): Promise<StoredAttachment[]> {
  const tooBig = files.find((f) => f.data.length > ctx.uploadLimit);
  if (tooBig) throw Errors.tooLarge();
  if (!Array.isArray(json.attachments)) {
    return [...existing, ...(await Promise.all(files.map((f) => storeFile(f, ctx, undefined))))];
  }
  const result: StoredAttachment[] = [];
  for (const [i, entry] of arr(json.attachments).entries()) {
    const id = String(entry.id);
    const kept = existing.find((a) => a.id === id);
    if (kept) {
      result.push(kept);
      continue;
    }
    const file = files.find((f) => String(f.index) === id);
    if (!file) throw invalidFormBody(['attachments', i], 'ATTACHMENT_NOT_FOUND', 'Attachment data not found');
    result.push(await storeFile(file, ctx, entry.description));
  }
  return result;
}

/** Embeds pointing at `attachment://name` get the uploaded file's URL and size, as Discord resolves them. */
function resolveEmbeds(embeds: Json[], attachments: StoredAttachment[]): Json[] {
  const resolveMedia = (media: unknown): Json | undefined => {
    if (!media || typeof media !== 'object') return undefined;
    const m = media as Json;
    const url = str(m.url);
    const file = url?.startsWith('attachment://') ? attachments.find((a) => `attachment://${a.filename}` === url) : undefined;
    if (!file) return m;
    return { ...m, url: file.url, proxy_url: file.url, width: file.width, height: file.height, content_type: file.contentType };
  };
  return embeds.map((embed) => {
    const out: Json = { type: 'rich', ...embed };
    if (embed.image) out.image = resolveMedia(embed.image);
    if (embed.thumbnail) out.thumbnail = resolveMedia(embed.thumbnail);
    return out;
  });
}

/** Who gets pinged once allowed_mentions is applied (no allowed_mentions: everything parses). */
export function computeMentions(content: string, allowed: unknown, world: World, guildId: string | undefined): StoredMessage['mentions'] {
  const users = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] ?? '');
  const roles = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1] ?? '');
  const everyone = /@(everyone|here)/.test(content);
  const rules = allowed && typeof allowed === 'object' ? (allowed as Json) : undefined;
  const parse = rules ? (Array.isArray(rules.parse) ? (rules.parse as string[]) : []) : ['users', 'roles', 'everyone'];
  const allow = (kind: string, list: unknown, id: string) =>
    parse.includes(kind) || (Array.isArray(list) && (list as unknown[]).includes(id));
  const guildRoles = guildId ? (world.guilds.get(guildId)?.roles ?? []) : [];
  return {
    users: [...new Set(users.filter((id) => world.users.has(id) && allow('users', rules?.users, id)))],
    roles: [...new Set(roles.filter((id) => guildRoles.some((r) => r.id === id) && allow('roles', rules?.roles, id)))],
    everyone: everyone && parse.includes('everyone'),
  };
}

export async function createMessage(json: Json | undefined, files: UploadedFile[], ctx: MessageContext): Promise<StoredMessage> {
  const body = json ?? {};
  validate(body);
  const attachments = await resolveAttachments(body, files, [], ctx);
  const content = str(body.content) ?? '';
  const embeds = resolveEmbeds(arr(body.embeds), attachments);
  const components = arr(body.components);
  if (content === '' && embeds.length === 0 && attachments.length === 0 && components.length === 0) {
    throw Errors.emptyMessage();
  }
  return {
    id: snowflake(),
    channelId: ctx.channelId,
    guildId: ctx.guildId,
    content,
    embeds,
    components,
    attachments,
    flags: typeof body.flags === 'number' ? body.flags : 0,
    type: ctx.type,
    allowedMentions: body.allowed_mentions,
    mentions: computeMentions(content, body.allowed_mentions, ctx.world, ctx.guildId),
    webhookId: ctx.webhookId,
    interactionId: ctx.interactionId,
    timestamp: new Date().toISOString(),
    editedTimestamp: null,
    deleted: false,
  };
}

/** A new snapshot of `prev` with the edit applied; fields absent from the body stay as they were. */
export async function editMessage(
  prev: StoredMessage,
  json: Json | undefined,
  files: UploadedFile[],
  ctx: MessageContext,
): Promise<StoredMessage> {
  const body = json ?? {};
  validate(body);
  const attachments = await resolveAttachments(body, files, prev.attachments, ctx);
  const content = 'content' in body ? (str(body.content) ?? '') : prev.content;
  const embeds = 'embeds' in body ? resolveEmbeds(arr(body.embeds), attachments) : prev.embeds;
  const components = 'components' in body ? arr(body.components) : prev.components;
  if (content === '' && embeds.length === 0 && attachments.length === 0 && components.length === 0) {
    throw Errors.emptyMessage();
  }
  const allowedMentions = 'allowed_mentions' in body ? body.allowed_mentions : prev.allowedMentions;
  // Only the SUPPRESS_EMBEDS bit can be changed on edit; the LOADING bit clears once content arrives.
  const flags = (prev.flags & ~(4 | 128)) | ((typeof body.flags === 'number' ? body.flags : prev.flags) & 4);
  return {
    ...prev,
    content,
    embeds,
    components,
    attachments,
    flags,
    allowedMentions,
    mentions: computeMentions(content, allowedMentions, ctx.world, ctx.guildId),
    editedTimestamp: new Date().toISOString(),
  };
}

/** The full Message object discord.js's Message._patch expects back from every create/edit/fetch. */
export function messageJson(world: World, msg: StoredMessage, interaction?: Json): Json {
  const interactionUser = (interaction?.member as Json | undefined)?.user ?? interaction?.user;
  return {
    id: msg.id,
    type: msg.type,
    content: msg.content,
    channel_id: msg.channelId,
    author: userJson(world.bot, true),
    attachments: msg.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      ...(a.description !== undefined ? { description: a.description } : {}),
      ...(a.contentType !== undefined ? { content_type: a.contentType } : {}),
      size: a.size,
      url: a.url,
      proxy_url: a.url,
      width: a.width,
      height: a.height,
      ...((msg.flags & EPHEMERAL) !== 0 ? { ephemeral: true } : {}),
    })),
    embeds: msg.embeds,
    mentions: msg.mentions.users.flatMap((id) => {
      const user = world.users.get(id);
      return user ? [userJson(user, id === world.bot.id)] : [];
    }),
    mention_roles: msg.mentions.roles,
    mention_everyone: msg.mentions.everyone,
    pinned: false,
    tts: false,
    timestamp: msg.timestamp,
    edited_timestamp: msg.editedTimestamp,
    flags: msg.flags,
    components: msg.components,
    ...(msg.webhookId !== undefined ? { webhook_id: msg.webhookId, application_id: world.applicationId } : {}),
    ...(interaction && interactionUser
      ? {
          interaction_metadata: {
            id: interaction.id,
            type: interaction.type,
            user: interactionUser,
            authorizing_integration_owners: interaction.authorizing_integration_owners,
          },
          interaction: {
            id: interaction.id,
            type: interaction.type,
            name: (interaction.data as Json | undefined)?.name ?? '',
            user: interactionUser,
          },
        }
      : {}),
  };
}
