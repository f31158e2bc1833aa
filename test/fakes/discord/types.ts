/** Public shapes of the fake Discord: what tests configure and what they can inspect afterwards. */

/** Raw JSON as it travels on the wire; the fake builds Discord's shapes, discord.js parses them. */
export type Json = Record<string, unknown>;

export interface FakeUserSpec {
  id: string;
  username: string;
  globalName?: string | null;
}

export interface FakeRoleSpec {
  id: string;
  name: string;
  /** Permission bitfield as a decimal string, as Discord sends it. */
  permissions?: string;
  position?: number;
  mentionable?: boolean;
}

export interface FakeChannelSpec {
  id: string;
  name: string;
  nsfw?: boolean;
  /** 0 GUILD_TEXT (default), 4 GUILD_CATEGORY, 5 GUILD_ANNOUNCEMENT, ... */
  type?: number;
  parentId?: string | null;
  topic?: string | null;
}

export interface FakeMemberSpec extends FakeUserSpec {
  /** Role ids besides @everyone (which every member holds implicitly). */
  roles?: string[];
  nick?: string | null;
}

export interface FakeGuildSpec {
  id: string;
  name: string;
  ownerId: string;
  /** @everyone (id = guild id) is added when not listed. */
  roles?: FakeRoleSpec[];
  channels: FakeChannelSpec[];
  members?: FakeMemberSpec[];
  /** Permissions of @everyone when the fake adds it (decimal bitfield string). */
  everyonePermissions?: string;
}

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  /** The bot's own user; its id is the application id unless given. */
  bot?: { id?: string; username?: string };
  guilds?: FakeGuildSpec[];
  /** HELLO heartbeat_interval in ms (Discord: 41250). */
  heartbeatIntervalMs?: number;
  /** Interaction token lifetime (Discord: 15 minutes). */
  interactionTokenLifetimeMs?: number;
  /** Deadline for the first interaction callback (Discord: 3 s). */
  initialResponseDeadlineMs?: number;
  /** attachment_size_limit sent on interactions (Discord default 10 MiB). */
  attachmentSizeLimit?: number;
  /** Per-file upload limit for bot-token messages (10 MiB on an unboosted guild). */
  botUploadLimit?: number;
  /** Per-bucket rate limit the fake enforces and advertises in X-RateLimit-* headers. */
  rateLimit?: { limit: number; windowMs: number };
  /** Privileged intents the application is allowed (bitfield); others close the gateway with 4014. */
  privilegedIntents?: number;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string | undefined;
  width: number | null;
  height: number | null;
  description?: string;
  url: string;
  /** The bytes the client uploaded, so tests can decode them. */
  data: Buffer;
}

/** A message as the fake stores it; `json()` on the store gives the wire shape. */
export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string | undefined;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: StoredAttachment[];
  flags: number;
  type: number;
  /** `allowed_mentions` exactly as the client sent it (undefined when omitted). */
  allowedMentions: unknown;
  /** Who the message would really ping after Discord applies allowed_mentions. */
  mentions: { users: string[]; roles: string[]; everyone: boolean };
  /** Set for messages sent through an interaction webhook. */
  webhookId: string | undefined;
  interactionId: string | undefined;
  timestamp: string;
  editedTimestamp: string | null;
  deleted: boolean;
}

export interface CallbackRecord {
  type: number;
  data: Json | undefined;
  withResponse: boolean;
  at: number;
  /** HTTP status the fake answered with. */
  status: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  guildId: string | undefined;
  channelId: string;
  userId: string;
  payload: Json;
  dispatchedAt: number;
  /** Every callback attempt, including refused ones (their status says so). */
  callbacks: CallbackRecord[];
  /** Current state of @original (undefined until a response creates it). */
  original: StoredMessage | undefined;
  /** Every state @original went through, oldest first (a snapshot per change). */
  edits: StoredMessage[];
  followUps: StoredMessage[];
}

export interface RequestRecord {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  at: number;
  authorized: boolean;
}
