import { PermissionFlagsBits, PermissionsBitField, type Interaction } from 'discord.js';
import type { Actor, ChannelFacts } from '../../core/actor.js';

/** Server owners, Administrators and Manage Server holders are platform admins (DESIGN: Identity and roles). */
const ADMIN_BITS = PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild;

/** The fields of a member this adapter reads, whether discord.js cached a GuildMember or passed the raw API object. */
type MemberLike = { roles: readonly string[] | { cache: { keys(): Iterable<string> } }; permissions?: unknown } | null;

export function memberRoleIds(member: MemberLike, guildId: string): string[] {
  if (!member) return [];
  const ids = Array.isArray(member.roles) ? member.roles : [...(member.roles as { cache: { keys(): Iterable<string> } }).cache.keys()];
  // @everyone is keyed by the guild id in discord.js' cache; it is not a role anyone was given.
  return ids.filter((id) => id !== guildId);
}

export function hasAdminBits(permissions: bigint | string | null | undefined): boolean {
  if (permissions === null || permissions === undefined) return false;
  const bits = typeof permissions === 'bigint' ? permissions : BigInt(permissions);
  return (bits & ADMIN_BITS) !== 0n;
}

/** The channel's own NSFW flag; a thread inherits its parent's. Unknown channels count as not NSFW. */
function channelFacts(interaction: Interaction): ChannelFacts | undefined {
  if (!interaction.channelId) return undefined;
  const channel = interaction.channel;
  let nsfw = false;
  if (channel && 'nsfw' in channel) nsfw = Boolean(channel.nsfw);
  else if (channel?.isThread()) nsfw = Boolean(channel.parent && 'nsfw' in channel.parent && channel.parent.nsfw);
  return { id: interaction.channelId, nsfw };
}

/** Turns an interaction into the core's platform-neutral Actor. Null outside a server (DMs). */
export function buildActor(interaction: Interaction): Actor | null {
  const guildId = interaction.guildId;
  if (!guildId) return null;
  const member = interaction.member as MemberLike;
  const permissions = interaction.memberPermissions instanceof PermissionsBitField ? interaction.memberPermissions.bitfield : undefined;
  const isOwner = interaction.guild?.ownerId === interaction.user.id;
  const channel = channelFacts(interaction);
  return {
    platform: 'discord',
    spaceExternalId: guildId,
    ...(interaction.guild?.name ? { spaceName: interaction.guild.name } : {}),
    userExternalId: interaction.user.id,
    displayName: interaction.user.globalName ?? interaction.user.username,
    platformRoles: memberRoleIds(member, guildId),
    isPlatformAdmin: isOwner || hasAdminBits(permissions),
    ...(channel ? { channel } : {}),
  };
}
