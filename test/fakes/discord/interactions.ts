import { channelJson, memberJson } from './payloads.js';
import { messageJson } from './messages.js';
import { interactionToken, snowflake } from './snowflake.js';
import type { InteractionState, Store } from './store.js';
import type { Json, StoredMessage } from './types.js';
import { memberPermissions, type World } from './world.js';

export type OptionValue = string | number | boolean;

/** A small description of an interaction; the fake fills in everything else Discord would send. */
export interface InteractionSpec {
  /** Default 'command' (type 2). */
  kind?: 'command' | 'component' | 'modal' | 'autocomplete';
  userId: string;
  /** Default: the first configured guild, and its first text channel. */
  guildId?: string;
  channelId?: string;
  /** Override the member's role ids (default: the guild member's roles). */
  roles?: string[];
  /** Override member.permissions (decimal bitfield string; default computed from roles). */
  permissions?: string;
  appPermissions?: string;
  locale?: string;
  attachmentSizeLimit?: number;
  /** command / autocomplete */
  commandName?: string;
  commandId?: string;
  commandType?: number;
  /** Raw options (`[{name, type, value, focused?}]`) or a map inferred as string/integer/number/boolean. */
  options?: Json[] | Record<string, OptionValue>;
  /**
   * Files given to ATTACHMENT (type 11) options, by option name: the option's value is the
   * attachment id, `data.resolved.attachments` describes it, and its CDN URL serves the bytes.
   */
  attachments?: Record<string, { filename: string; contentType: string; data: Buffer }>;
  /** component / modal */
  customId?: string;
  componentType?: number;
  values?: string[];
  /** The message carrying the component (required for components; optional for modals). */
  messageId?: string;
  /** modal submit: raw `data.components` */
  components?: Json[];
}

const TYPE = { command: 2, component: 3, autocomplete: 4, modal: 5 } as const;

function optionJson(options: InteractionSpec['options']): Json[] | undefined {
  if (options === undefined) return undefined;
  if (Array.isArray(options)) return options;
  return Object.entries(options).map(([name, value]) => ({
    name,
    value,
    // ApplicationCommandOptionType: 3 STRING, 4 INTEGER, 5 BOOLEAN, 10 NUMBER
    type: typeof value === 'string' ? 3 : typeof value === 'boolean' ? 5 : Number.isInteger(value) ? 4 : 10,
  }));
}

function dataJson(spec: InteractionSpec, kind: keyof typeof TYPE, guildId: string, attached: { options: Json[]; resolved: Record<string, Json> }): Json {
  if (kind === 'command' || kind === 'autocomplete') {
    const given = optionJson(spec.options);
    // A subcommand (type 1) carries its own options: the files go inside it, as Discord sends them.
    const sub = given?.length === 1 && given[0]!.type === 1 ? given[0]! : undefined;
    const options = sub
      ? [{ ...sub, options: [...((sub.options as Json[] | undefined) ?? []), ...attached.options] }]
      : given || attached.options.length > 0 ? [...(given ?? []), ...attached.options] : undefined;
    return {
      id: spec.commandId ?? snowflake(),
      name: spec.commandName ?? 'generate',
      type: spec.commandType ?? 1,
      guild_id: guildId,
      ...(options ? { options } : {}),
      ...(attached.options.length > 0 ? { resolved: { attachments: attached.resolved } } : {}),
    };
  }
  if (kind === 'component') {
    return {
      custom_id: spec.customId ?? 'button',
      component_type: spec.componentType ?? 2,
      ...(spec.values ? { values: spec.values } : {}),
    };
  }
  return { custom_id: spec.customId ?? 'modal', components: spec.components ?? [] };
}

/** Builds the raw INTERACTION_CREATE payload and the record the REST routes answer from. */
/** Stores the option files where the fake's CDN serves them, as Discord does for interaction uploads (ephemeral attachments). */
function attachmentsJson(store: Store, spec: InteractionSpec, channelId: string, origin: string): { options: Json[]; resolved: Record<string, Json> } {
  const options: Json[] = [];
  const resolved: Record<string, Json> = {};
  for (const [name, file] of Object.entries(spec.attachments ?? {})) {
    const id = snowflake();
    store.optionFiles.set(id, { data: file.data, contentType: file.contentType });
    const url = `${origin}/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    options.push({ name, type: 11, value: id });
    resolved[id] = { id, filename: file.filename, size: file.data.length, url, proxy_url: url, content_type: file.contentType, ephemeral: true };
  }
  return { options, resolved };
}

export function createInteraction(world: World, store: Store, spec: InteractionSpec, origin = 'http://127.0.0.1'): InteractionState {
  const kind = spec.kind ?? 'command';
  const guild = spec.guildId ? world.guilds.get(spec.guildId) : world.guilds.values().next().value;
  if (!guild) throw new Error(`fake discord: unknown guild ${spec.guildId ?? '(none configured)'}`);
  const channel = spec.channelId
    ? guild.channels.find((c) => c.id === spec.channelId)
    : guild.channels.find((c) => (c.type ?? 0) === 0);
  if (!channel) throw new Error(`fake discord: guild ${guild.id} has no channel ${spec.channelId ?? '(text)'}`);
  const member = memberJson(world, guild, spec.userId);
  if (!member) throw new Error(`fake discord: user ${spec.userId} is not a member of guild ${guild.id}`);

  const roles = spec.roles ?? member.roles;
  const perms = spec.permissions ?? memberPermissions(guild, spec.userId, roles).toString();
  const appPerms = spec.appPermissions ?? memberPermissions(guild, world.bot.id).toString();
  let message: StoredMessage | undefined;
  if (spec.messageId !== undefined) {
    message = store.messages.get(spec.messageId);
    if (!message) throw new Error(`fake discord: no message ${spec.messageId} for the component interaction`);
  } else if (kind === 'component') {
    throw new Error('fake discord: component interactions need messageId (discord.js builds interaction.message)');
  }

  const id = snowflake();
  const token = interactionToken();
  const payload: Json = {
    id,
    application_id: world.applicationId,
    type: TYPE[kind],
    data: dataJson(spec, kind, guild.id, attachmentsJson(store, spec, channel.id, origin)),
    guild: { id: guild.id, locale: 'en-US', features: [] },
    guild_id: guild.id,
    channel: { ...channelJson(guild, channel), permissions: perms },
    channel_id: channel.id,
    member: { ...member, roles, permissions: perms },
    token,
    version: 1,
    app_permissions: appPerms,
    locale: spec.locale ?? 'en-US',
    guild_locale: 'en-US',
    // BaseInteraction reduces/indexes these without null checks: always present.
    entitlements: [],
    authorizing_integration_owners: { '0': guild.id },
    context: 0,
    attachment_size_limit: spec.attachmentSizeLimit ?? world.attachmentSizeLimit,
    ...(message ? { message: messageJson(world, message) } : {}),
  };
  const now = Date.now();
  const record: InteractionState = {
    id,
    token,
    type: TYPE[kind],
    guildId: guild.id,
    channelId: channel.id,
    userId: spec.userId,
    payload,
    dispatchedAt: now,
    callbacks: [],
    // For components @original is the message the component sits on.
    original: kind === 'component' ? message : undefined,
    edits: [],
    followUps: [],
    applicationId: world.applicationId,
    expiresAt: now + world.interactionTokenLifetimeMs,
    deadlineAt: now + world.initialResponseDeadlineMs,
    acknowledged: false,
  };
  store.interactions.set(id, record);
  store.byToken.set(token, record);
  return record;
}
