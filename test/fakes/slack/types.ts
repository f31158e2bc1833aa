/**
 * Public shapes of the fake Slack: what a test seeds, and what the fake records for assertions.
 * Field names follow Slack's wire names (snake_case) where the value mirrors a wire object, so a
 * test can compare a record with what the app sent or received without translating.
 */

export interface FakeUserSeed {
  id: string;
  name?: string;
  real_name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_bot?: boolean;
  deleted?: boolean;
  email?: string;
  tz?: string;
}

export interface FakeUsergroupSeed {
  users: string[];
  handle?: string;
  name?: string;
  /** Disabled groups are only visible with `include_disabled`, as in Slack. */
  disabled?: boolean;
}

export interface FakeChannelSeed {
  id: string;
  name?: string;
  is_private?: boolean;
  is_archived?: boolean;
  /** When set, postEphemeral to a user outside this list answers `user_not_in_channel`. */
  members?: string[];
  /** false makes chat.postMessage answer `not_in_channel` (bot was never invited). Default true. */
  bot_is_member?: boolean;
}

export interface FakeSlackOptions {
  teamId?: string;
  teamDomain?: string;
  teamName?: string;
  botToken?: string;
  botUserId?: string;
  botId?: string;
  botName?: string;
  appId?: string;
  /** Socket Mode app-level token accepted by apps.connections.open. Default 'xapp-1-A0FAKEAPP1-1-fakeapptoken'. */
  appToken?: string;
  /** How often the fake pings each Socket Mode client. Default 10 s (the client gives up after 30 s). */
  socketPingIntervalMs?: number;
  users?: FakeUserSeed[];
  /** `{ S123: ['U1'] }` or `{ S123: { users: ['U1'], handle: 'artists', disabled: false } }`. */
  usergroups?: Record<string, string[] | FakeUsergroupSeed>;
  /** Channel ids or full seeds. */
  channels?: (string | FakeChannelSeed)[];
  /** Slack doc text: a response_url works "up to 5 times within 30 minutes". */
  responseUrlMaxUses?: number;
  responseUrlTtlMs?: number;
  /** Slack doc text: trigger_ids expire after 3 seconds. */
  triggerTtlMs?: number;
  /** Injectable clock (ms since epoch) so expiry can be tested without sleeping. */
  now?: () => number;
}

/** What a version of a message looked like; `history[i]` is what users saw after step i. */
export interface MessageVersion {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  files?: FileObject[];
  deleted: boolean;
  via: string;
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  /** Poster: the bot user, or a seeded human for messages created with `fake.postAsUser`. */
  user: string;
  bot_id?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  files?: FileObject[];
  reply_broadcast?: boolean;
  /** Set for ephemeral messages: the only user who can see it. */
  ephemeral_to?: string;
  deleted: boolean;
  /** Raw arguments of the call that created the message (unfurl_links, metadata, ...). */
  created_with: Record<string, unknown>;
  history: MessageVersion[];
}

/** The file object Slack returns from files.completeUploadExternal (fields an app may read). */
export interface FileObject {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  user_team: string;
  size: number;
  mode: 'hosted';
  is_external: false;
  is_public: boolean;
  url_private: string;
  url_private_download: string;
  permalink: string;
  permalink_public: string;
  alt_txt?: string;
  shares: Record<string, unknown>;
  channels: string[];
  groups: string[];
  ims: string[];
  has_more_shares: boolean;
  file_access: 'visible';
}

export interface FakeFile {
  id: string;
  filename: string;
  title?: string;
  alt_text?: string;
  /** Byte length announced in files.getUploadURLExternal. */
  length: number;
  state: 'reserved' | 'uploaded' | 'completed';
  bytes?: Buffer;
  /** Multipart part name and filename the upload used ('body' / 'Untitled' from the SDK). */
  uploadPart?: { name: string; filename: string };
  uploadToken?: string;
  reservedWithToken: string;
  mimetype: string;
  shared_to?: { channel: string; thread_ts?: string; message_ts: string };
  object?: FileObject;
}

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  contentType: string;
  status: number;
  response: Record<string, unknown>;
  at: number;
}

export interface FunctionExecution {
  function_execution_id: string;
  workflow_execution_id: string;
  callback_id: string;
  inputs: Record<string, unknown>;
  bot_access_token: string;
  state: 'running' | 'completed' | 'failed';
}

export interface FunctionCompletion {
  method: 'functions.completeSuccess' | 'functions.completeError';
  function_execution_id: string;
  outputs?: Record<string, unknown>;
  error?: string;
  token: string;
  at: number;
}

export interface IssuedTrigger {
  trigger_id: string;
  user_id: string;
  issuedAt: number;
  exchanged: boolean;
  view_id?: string;
}

export interface ResponseUrlPost {
  body: Record<string, unknown>;
  status: number;
  error?: string;
  at: number;
}

export interface IssuedResponseUrl {
  id: string;
  url: string;
  channel: string;
  user_id: string;
  issuedAt: number;
  /** Message the interaction came from (block actions): target of replace/delete_original. */
  source?: { channel: string; ts: string; ephemeral: boolean };
  posts: ResponseUrlPost[];
}

export interface StoredView {
  id: string;
  user_id: string;
  /** The view object as Slack returns it (id, hash, state, root_view_id, ...). */
  view: Record<string, unknown>;
  history: Record<string, unknown>[];
  closed: boolean;
}
