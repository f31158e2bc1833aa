import { PermissionFlagsBits } from 'discord.js';
import { Errors, apiError, type Route, type RouteRequest, type RouteResult } from './http.js';
import { EPHEMERAL, createMessage, editMessage, messageJson } from './messages.js';
import { channelJson, guildJson, memberJson, roleJson, userJson } from './payloads.js';
import type { Deps } from './rest-interactions.js';
import { snowflake } from './snowflake.js';
import type { Json, StoredMessage } from './types.js';
import { findChannel, memberPermissions, type GuildModel } from './world.js';

function channelOf(req: RouteRequest, deps: Deps) {
  const found = findChannel(deps.world, req.params.channel ?? '');
  if (!found) throw Errors.unknownChannel();
  return found;
}

/** The bot's own channel permissions decide 50001/50013 exactly as they would in production. */
function requirePermissions(deps: Deps, guild: GuildModel, needed: bigint[]): void {
  const perms = memberPermissions(guild, deps.world.bot.id);
  if ((perms & PermissionFlagsBits.ViewChannel) === 0n) throw apiError(403, 50001, 'Missing Access');
  if (needed.some((p) => (perms & p) === 0n)) throw apiError(403, 50013, 'Missing Permissions');
}

function guildOf(req: RouteRequest, deps: Deps): GuildModel {
  const guild = deps.world.guilds.get(req.params.guild ?? '');
  if (!guild) throw Errors.unknownGuild();
  return guild;
}

/** A channel message the bot may see: not ephemeral, not deleted, in that channel. */
function channelMessage(req: RouteRequest, deps: Deps): StoredMessage {
  const msg = deps.store.messages.get(req.params.message ?? '');
  if (!msg || msg.deleted || msg.channelId !== req.params.channel || (msg.flags & EPHEMERAL) !== 0) {
    throw Errors.unknownMessage();
  }
  return msg;
}

async function postMessage(req: RouteRequest, deps: Deps): Promise<RouteResult> {
  const { guild, channel } = channelOf(req, deps);
  const needed = [PermissionFlagsBits.SendMessages];
  if (req.files.length > 0) needed.push(PermissionFlagsBits.AttachFiles);
  requirePermissions(deps, guild, needed);
  const msg = await createMessage(req.json, req.files, {
    world: deps.world,
    origin: deps.origin,
    channelId: channel.id,
    guildId: guild.id,
    uploadLimit: deps.world.botUploadLimit,
    type: 0,
  });
  deps.store.put(msg, true);
  return { status: 200, body: { ...messageJson(deps.world, msg), ...(req.json?.nonce ? { nonce: req.json.nonce } : {}) } };
}

async function patchMessage(req: RouteRequest, deps: Deps): Promise<RouteResult> {
  const { guild } = channelOf(req, deps);
  const prev = channelMessage(req, deps);
  const msg = await editMessage(prev, req.json, req.files, {
    world: deps.world,
    origin: deps.origin,
    channelId: prev.channelId,
    guildId: guild.id,
    uploadLimit: deps.world.botUploadLimit,
    type: prev.type,
  });
  deps.store.put(msg, true);
  return { status: 200, body: messageJson(deps.world, msg) };
}

function bulkOverwrite(scope: (req: RouteRequest, deps: Deps) => string) {
  return (req: RouteRequest, deps: Deps): RouteResult => {
    if (req.params.app !== deps.world.applicationId) throw apiError(403, 50001, 'Missing Access');
    const key = scope(req, deps);
    const given = (req.list ?? []) as Json[];
    const stored = given.map((c) => ({
      id: snowflake(),
      application_id: deps.world.applicationId,
      version: snowflake(),
      type: 1,
      default_member_permissions: null,
      dm_permission: true,
      nsfw: false,
      contexts: null,
      integration_types: [0],
      ...(key === 'global' ? {} : { guild_id: key }),
      ...c,
    }));
    deps.store.commands.set(key, stored);
    return { status: 200, body: stored };
  };
}

const byChannel = (p: Record<string, string>) => p.channel ?? '';
const byGuild = (p: Record<string, string>) => p.guild ?? '';
const none = () => '';
const bot = { auth: true, limited: true } as const;

export const botRoutes: Route<Deps>[] = [
  {
    ...bot,
    method: 'GET',
    pattern: '/gateway/bot',
    major: none,
    handle: (_req, deps) => ({
      status: 200,
      body: {
        url: deps.origin.replace(/^http/, 'ws') + '/gateway',
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      },
    }),
  },
  { ...bot, method: 'GET', pattern: '/users/@me', major: none, handle: (_r, d) => ({ status: 200, body: { ...userJson(d.world.bot, true), verified: true, mfa_enabled: false } }) },
  {
    ...bot,
    method: 'GET',
    pattern: '/applications/@me',
    major: none,
    handle: (_r, d) => ({
      status: 200,
      body: { id: d.world.applicationId, name: d.world.bot.username, icon: null, description: '', bot_public: false, bot_require_code_grant: false, flags: 0, bot: userJson(d.world.bot, true), verify_key: '0'.repeat(64), team: null, owner: null },
    }),
  },
  { ...bot, method: 'GET', pattern: '/channels/:channel', major: byChannel, handle: (r, d) => { const { guild, channel } = channelOf(r, d); return { status: 200, body: channelJson(guild, channel) }; } },
  { ...bot, method: 'POST', pattern: '/channels/:channel/messages', major: byChannel, handle: postMessage },
  {
    ...bot,
    method: 'GET',
    pattern: '/channels/:channel/messages',
    major: byChannel,
    handle: (r, d) => {
      channelOf(r, d);
      const limit = Math.min(100, Number(r.query.get('limit') ?? 50));
      const list = d.store.channelMessages(r.params.channel ?? '').filter((m) => (m.flags & EPHEMERAL) === 0);
      return { status: 200, body: list.slice(-limit).reverse().map((m) => messageJson(d.world, m)) };
    },
  },
  { ...bot, method: 'GET', pattern: '/channels/:channel/messages/:message', major: byChannel, handle: (r, d) => ({ status: 200, body: messageJson(d.world, channelMessage(r, d)) }) },
  { ...bot, method: 'PATCH', pattern: '/channels/:channel/messages/:message', major: byChannel, handle: patchMessage },
  {
    ...bot,
    method: 'DELETE',
    pattern: '/channels/:channel/messages/:message',
    major: byChannel,
    handle: (r, d) => {
      d.store.put({ ...channelMessage(r, d), deleted: true }, true);
      return { status: 204 };
    },
  },
  { ...bot, method: 'PUT', pattern: '/applications/:app/commands', major: none, handle: bulkOverwrite(() => 'global') },
  { ...bot, method: 'PUT', pattern: '/applications/:app/guilds/:guild/commands', major: byGuild, handle: bulkOverwrite((r, d) => guildOf(r, d).id) },
  { ...bot, method: 'GET', pattern: '/applications/:app/commands', major: none, handle: (_r, d) => ({ status: 200, body: d.store.commands.get('global') ?? [] }) },
  { ...bot, method: 'GET', pattern: '/applications/:app/guilds/:guild/commands', major: byGuild, handle: (r, d) => ({ status: 200, body: d.store.commands.get(guildOf(r, d).id) ?? [] }) },
  { ...bot, method: 'GET', pattern: '/guilds/:guild', major: byGuild, handle: (r, d) => ({ status: 200, body: guildJson(guildOf(r, d)) }) },
  { ...bot, method: 'GET', pattern: '/guilds/:guild/roles', major: byGuild, handle: (r, d) => ({ status: 200, body: guildOf(r, d).roles.map(roleJson) }) },
  { ...bot, method: 'GET', pattern: '/guilds/:guild/channels', major: byGuild, handle: (r, d) => { const g = guildOf(r, d); return { status: 200, body: g.channels.map((c) => channelJson(g, c)) }; } },
  {
    ...bot,
    method: 'GET',
    pattern: '/guilds/:guild/members/:user',
    major: byGuild,
    handle: (r, d) => {
      const member = memberJson(d.world, guildOf(r, d), r.params.user ?? '');
      if (!member) throw Errors.unknownMember();
      return { status: 200, body: member };
    },
  },
];
