import type { Role } from './roles.js';

export type Platform = 'discord' | 'slack' | 'web';

/** Facts about the channel a request came from, as the adapter saw them. */
export interface ChannelFacts {
  /** Platform channel id (Discord channel snowflake, Slack channel id, or 'web'). */
  id: string;
  /** Discord's channel NSFW flag; for Slack and web, whether admins marked it NSFW. */
  nsfw: boolean;
}

/**
 * Who is asking, platform-neutral. Adapters fill in platform facts; the core decides the app role
 * from them (platform admins are always admin; other platform roles map through the space mapping).
 */
export interface Actor {
  platform: Platform;
  /** Discord guild id, Slack team id, or 'web' (or the token's space). */
  spaceExternalId: string;
  spaceName?: string;
  /** Platform user id (Discord snowflake, Slack user id, or the JWT subject). */
  userExternalId: string;
  displayName?: string;
  /** Discord role ids or Slack user group ids the user holds. */
  platformRoles: readonly string[];
  /** Guild owner / Administrator / Manage Server; Slack workspace owner or admin. */
  isPlatformAdmin: boolean;
  /** Slack guests (restricted / ultra-restricted): never above viewer. */
  isGuest?: boolean;
  /** A role the platform already vouches for (an HTTP API token carries one). */
  grantedRole?: Role;
  channel?: ChannelFacts;
}
