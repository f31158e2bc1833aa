import type { APIGuildMember, APIRole, APIUser, GuildMemberFlags, RoleFlags, UserFlags } from 'discord.js';

/** No flags set; the enums have no 0 member, so TypeScript needs telling. */
const NO_FLAGS = 0 as UserFlags & RoleFlags & GuildMemberFlags;
import type { FakeChannelSpec, FakeUserSpec, Json } from './types.js';
import type { GuildModel, World } from './world.js';

/** Full user objects: discord.js's User._patch reads each field, and absent ones would hide null handling bugs. */
export function userJson(user: FakeUserSpec, bot = false): APIUser {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: bot ? null : (user.globalName ?? user.username),
    avatar: null,
    ...(bot ? { bot: true } : {}),
    public_flags: NO_FLAGS,
    flags: NO_FLAGS,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
}

export function roleJson(role: GuildModel['roles'][number]): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions,
    managed: false,
    mentionable: role.mentionable,
    flags: NO_FLAGS,
  };
}

export function memberJson(world: World, guild: GuildModel, userId: string): APIGuildMember | undefined {
  const member = guild.members.get(userId);
  const user = world.users.get(userId);
  if (!member || !user) return undefined;
  return {
    user: userJson(user, userId === world.bot.id),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: member.roles,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: NO_FLAGS,
    pending: false,
    communication_disabled_until: null,
  };
}

/** Channel as GET /channels/{id} returns it; GUILD_CREATE sends the same minus guild_id. */
export function channelJson(guild: GuildModel, channel: FakeChannelSpec, withGuildId = true): Json {
  const position = guild.channels.indexOf(channel);
  return {
    id: channel.id,
    type: channel.type ?? 0,
    ...(withGuildId ? { guild_id: guild.id } : {}),
    name: channel.name,
    position: position < 0 ? 0 : position,
    permission_overwrites: [],
    nsfw: channel.nsfw ?? false,
    topic: channel.topic ?? null,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: channel.parentId ?? null,
    flags: 0,
  };
}

/** Guild as REST returns it (GET /guilds/{id}). */
export function guildJson(guild: GuildModel): Json {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: guild.roles.map(roleJson),
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500_000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
  };
}

/**
 * GUILD_CREATE: the REST guild plus gateway-only fields. Without the privileged GUILD_MEMBERS intent
 * Discord sends only the bot's own member here, so the fake does the same (a bot that relied on the
 * member cache would break in production).
 */
export function guildCreateJson(world: World, guild: GuildModel, withAllMembers: boolean): Json {
  const memberIds = withAllMembers ? [...guild.members.keys()] : [world.bot.id];
  return {
    ...guildJson(guild),
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: memberIds.map((id) => memberJson(world, guild, id)).filter((m) => m !== undefined),
    channels: guild.channels.map((c) => channelJson(guild, c, false)),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    lazy: true,
  };
}
