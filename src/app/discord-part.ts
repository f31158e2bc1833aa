import { once } from 'node:events';
import { Client, GatewayIntentBits, REST } from 'discord.js';
import type { BotContext } from '../bots/discord/context.js';
import { replyProjectUrl } from '../bots/discord/gallery-link.js';
import { discordPort } from '../bots/discord/live-port.js';
import { NO_MENTIONS } from '../bots/discord/render.js';
import { routeInteraction } from '../bots/discord/router.js';
import { restTransport } from '../bots/discord/transport.js';
import { LiveMessages } from '../core/job-message/live-messages.js';
import { repliesToResume } from '../db/reply-records.js';
import type { Runtime } from './runtime.js';

export interface DiscordPartOptions {
  /** Minimum gap between two edits of one message (default 1.5 s). */
  progressIntervalMs?: number;
  /** How long a live message may hear nothing before it is checked against the record (default 30 s). */
  recheckMs?: number;
}

export interface RunningDiscord {
  client: Client;
  stop(): Promise<void>;
}

const EDIT_INTERVAL_MS = 1_500;
const READY_TIMEOUT_MS = 30_000;
/** Per-route limits still apply from Discord's headers; this only lifts the client-side global cap. */
const INTERACTION_REQUESTS_PER_SECOND = 1_000;

/**
 * The Discord part: a discord.js gateway client (Guilds intent only; no privileged intents) that
 * turns interactions into core calls and renders job events into the replies. On start it resumes
 * every reply the records say is unfinished, so a restart loses no message.
 */
export async function startDiscord(runtime: Runtime, options: DiscordPartOptions = {}): Promise<RunningDiscord> {
  const { config } = runtime;
  if (!config.DISCORD_TOKEN || !config.DISCORD_APP_ID) {
    throw new Error('the Discord part needs DISCORD_TOKEN and DISCORD_APP_ID (from the Discord developer portal)');
  }
  const log = runtime.log.child({ component: 'discord' });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    // The default for every message discord.js sends; each message also sets it explicitly.
    allowedMentions: NO_MENTIONS,
    ...(config.DISCORD_API_BASE ? { rest: { api: config.DISCORD_API_BASE } } : {}),
  });
  // Interaction webhooks need no bot token and sit outside Discord's global limit: their own client.
  const interactionRest = new REST({ globalRequestsPerSecond: INTERACTION_REQUESTS_PER_SECOND, ...(config.DISCORD_API_BASE ? { api: config.DISCORD_API_BASE } : {}) });
  client.rest.on('rateLimited', (info) => log.debug({ route: info.route, retryAfter: info.retryAfter }, 'discord rate limit; waiting'));
  const tracker = new LiveMessages({
    port: discordPort({
      transport: restTransport(client.rest, interactionRest),
      links: runtime.mediaLinks,
      projectUrl: (job) => replyProjectUrl(runtime.galleryLinks, job),
      readMedia: (key) => runtime.media.read(key),
      readPreview: async (jobId) => (await runtime.previews.get(jobId))?.data,
      saveReply: (jobId, reply) => runtime.service.setReply(jobId, reply),
      intervalMs: options.progressIntervalMs ?? EDIT_INTERVAL_MS,
      cutoverMs: config.DISCORD_TOKEN_CUTOVER_MS,
    }),
    records: {
      getJob: (id) => runtime.records.getJob(id),
      listAssets: (id) => runtime.records.listAssets(id),
      queuePosition: (job) => runtime.records.queuePosition(job),
      repliesToResume: (platform) => repliesToResume(runtime.database.db, platform),
    },
    events: runtime.events,
    log,
    ...(options.recheckMs !== undefined ? { recheckMs: options.recheckMs } : {}),
  });
  const ctx: BotContext = {
    service: runtime.service,
    admin: runtime.admin,
    projects: runtime.projects,
    characters: runtime.characters,
    gallery: runtime.gallery,
    usage: runtime.usage,
    farm: runtime.farm,
    galleryLinks: runtime.galleryLinks,
    uploads: runtime.uploads,
    uploadDownload: { maxBytes: runtime.config.UPLOAD_MAX_BYTES, timeoutMs: 15_000 },
    tracker,
    log,
  };
  client.on('interactionCreate', (interaction) => {
    routeInteraction(ctx, interaction).catch((error: unknown) => log.error({ err: error }, 'interaction handler escaped its boundary'));
  });
  client.on('error', (error) => log.warn({ err: error }, 'discord client error'));

  // Listen before logging in, so no event for a resumed reply falls between the two.
  await tracker.start();
  try {
    const ready = once(client, 'clientReady', { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
    await client.login(config.DISCORD_TOKEN);
    await ready;
  } catch (error) {
    await tracker.stop();
    await client.destroy();
    throw error;
  }
  const resumed = await tracker.resume();
  log.info({ user: client.user?.tag, resumed }, 'discord bot ready');
  return {
    client,
    async stop() {
      await tracker.stop();
      interactionRest.clearHashSweeper();
      interactionRest.clearHandlerSweeper();
      await client.destroy();
    },
  };
}
