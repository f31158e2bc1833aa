import type { FakeChannelSpec, FakeDiscordOptions, FakeGuildSpec, FakeMemberSpec, FakeRoleSpec, FakeUserSpec } from './types.js';

import { PermissionFlagsBits } from 'discord.js';

const P = PermissionFlagsBits;
/** Roughly what @everyone holds on a freshly created server: talk, read, attach, use commands; nothing to moderate. */
export const DEFAULT_EVERYONE_PERMISSIONS = (
  P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.EmbedLinks | P.AttachFiles | P.AddReactions |
  P.UseExternalEmojis | P.UseApplicationCommands | P.CreateInstantInvite | P.ChangeNickname | P.Connect | P.Speak
).toString();
/** Every permission bit, which Discord reports for owners and administrators. */
export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);

/** Effective guild-level permissions of a member: owner and Administrator get everything. */
export function memberPermissions(guild: GuildModel, userId: string, roles?: string[]): bigint {
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  const held = new Set([guild.id, ...(roles ?? guild.members.get(userId)?.roles ?? [])]);
  let bits = 0n;
  for (const role of guild.roles) if (held.has(role.id)) bits |= BigInt(role.permissions);
  return (bits & P.Administrator) !== 0n ? ALL_PERMISSIONS : bits;
}
const TEN_MIB = 10 * 1024 * 1024;

export interface GuildModel {
  id: string;
  name: string;
  ownerId: string;
  roles: Required<FakeRoleSpec>[];
  channels: FakeChannelSpec[];
  /** Members keyed by user id; role ids exclude @everyone, as Discord's member.roles does. */
  members: Map<string, { roles: string[]; nick: string | null; joinedAt: string }>;
  joinedAt: string;
}

/** The fake's static world (configured once): the bot, users, guilds and where each channel lives. */
export interface World {
  token: string;
  applicationId: string;
  bot: FakeUserSpec;
  users: Map<string, FakeUserSpec>;
  guilds: Map<string, GuildModel>;
  channelGuild: Map<string, string>;
  heartbeatIntervalMs: number;
  interactionTokenLifetimeMs: number;
  initialResponseDeadlineMs: number;
  attachmentSizeLimit: number;
  botUploadLimit: number;
  rateLimit: { limit: number; windowMs: number };
  privilegedIntents: number;
}

function guildModel(spec: FakeGuildSpec, bot: FakeUserSpec, users: Map<string, FakeUserSpec>): GuildModel {
  const joinedAt = new Date().toISOString();
  const roles = (spec.roles ?? []).map((r, i) => ({
    id: r.id,
    name: r.name,
    permissions: r.permissions ?? '0',
    position: r.position ?? i + 1,
    mentionable: r.mentionable ?? false,
  }));
  if (!roles.some((r) => r.id === spec.id)) {
    // discord.js keys @everyone by the guild id (GuildMemberRoleManager); Discord always sends it.
    roles.unshift({
      id: spec.id,
      name: '@everyone',
      permissions: spec.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
      mentionable: false,
    });
  }
  const members = new Map<string, { roles: string[]; nick: string | null; joinedAt: string }>();
  const addMember = (m: FakeMemberSpec) => {
    users.set(m.id, { id: m.id, username: m.username, globalName: m.globalName ?? null });
    members.set(m.id, { roles: (m.roles ?? []).filter((id) => id !== spec.id), nick: m.nick ?? null, joinedAt });
  };
  for (const m of spec.members ?? []) addMember(m);
  if (!members.has(bot.id)) addMember({ ...bot, roles: [] });
  if (!members.has(spec.ownerId)) addMember({ id: spec.ownerId, username: `owner${spec.ownerId.slice(-4)}` });
  return { id: spec.id, name: spec.name, ownerId: spec.ownerId, roles, channels: spec.channels, members, joinedAt };
}

export function buildWorld(options: FakeDiscordOptions): World {
  const applicationId = options.applicationId ?? '1100000000000000001';
  const bot: FakeUserSpec = { id: options.bot?.id ?? applicationId, username: options.bot?.username ?? 'anime-bot' };
  const users = new Map<string, FakeUserSpec>([[bot.id, bot]]);
  const guilds = new Map<string, GuildModel>();
  const channelGuild = new Map<string, string>();
  for (const spec of options.guilds ?? []) {
    guilds.set(spec.id, guildModel(spec, bot, users));
    for (const c of spec.channels) channelGuild.set(c.id, spec.id);
  }
  return {
    token: options.token ?? 'fake-bot-token.discord.test',
    applicationId,
    bot,
    users,
    guilds,
    channelGuild,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    interactionTokenLifetimeMs: options.interactionTokenLifetimeMs ?? 15 * 60_000,
    initialResponseDeadlineMs: options.initialResponseDeadlineMs ?? 3_000,
    attachmentSizeLimit: options.attachmentSizeLimit ?? TEN_MIB,
    botUploadLimit: options.botUploadLimit ?? TEN_MIB,
    rateLimit: options.rateLimit ?? { limit: 5, windowMs: 2_000 },
    privilegedIntents: options.privilegedIntents ?? 0,
  };
}

export function findChannel(world: World, channelId: string): { guild: GuildModel; channel: FakeChannelSpec } | undefined {
  const guildId = world.channelGuild.get(channelId);
  const guild = guildId === undefined ? undefined : world.guilds.get(guildId);
  const channel = guild?.channels.find((c) => c.id === channelId);
  return guild && channel ? { guild, channel } : undefined;
}
