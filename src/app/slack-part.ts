import { App, type Receiver } from '@slack/bolt';
import { WebClient, type RetryOptions, type WebClientOptions } from '@slack/web-api';
import Fastify, { type FastifyInstance } from 'fastify';
import { SlackActorResolver } from '../bots/slack/actor.js';
import { boltLogger } from '../bots/slack/bolt-logger.js';
import type { SlackFeatureDeps } from '../bots/slack/deps.js';
import { FastifySlackReceiver } from '../bots/slack/fastify-receiver.js';
import { registerSlackFeatures } from '../bots/slack/features.js';
import { TokenSealer } from '../bots/slack/reply/reply-handle.js';
import { slackPort } from '../bots/slack/reply/live-port.js';
import { replyProjectUrl } from '../bots/slack/reply/reply-view.js';
import { WorkspaceLimiter } from '../bots/slack/reply/workspace-limiter.js';
import { LiveMessages } from '../core/job-message/live-messages.js';
import { repliesToResume } from '../db/reply-records.js';
import { SlackReplyRecords } from '../db/slack-reply-records.js';
import type { Logger } from '../shared/logger.js';
import { looksPublic } from '../shared/public-url.js';
import type { Runtime } from './runtime.js';

/** Knobs with production defaults; tests shorten them. */
export interface SlackTuning {
  /** WebClient retries (429s are retried through these). Default: 3 tries, 1 s apart at first. */
  retryConfig?: RetryOptions;
  /** Least time between two edits of one message. Default 1500 ms. */
  minEditIntervalMs?: number;
  /** How long a live message may hear nothing before it is checked against the record. */
  recheckMs?: number;
  /** chat.update budget per workspace. Default 50 a minute (Slack Tier 3). */
  workspaceUpdatesPerMinute?: number;
  /** How long users.info and group members are cached. Default 60 s. */
  lookupTtlMs?: number;
}

export interface SlackPart {
  /** Mounts POST /slack/events on the shared web server (HTTP mode with the web part). */
  mount?: (app: FastifyInstance) => Promise<void>;
  stop(): Promise<void>;
}

interface SlackBot {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the Slack adapter: Socket Mode when SLACK_APP_TOKEN is set; otherwise HTTP, on the shared
 * web server (one public port) or, run alone (`npm run slack`), on a small listener of its own.
 */
export async function startSlack(runtime: Runtime, options: { sharesWebServer: boolean } & SlackTuning): Promise<SlackPart> {
  const { config } = runtime;
  const log = runtime.log.child({ component: 'slack' });
  if (config.SLACK_APP_TOKEN) {
    const bot = await createSlackBot(runtime, log, { appToken: config.SLACK_APP_TOKEN }, options);
    await bot.start();
    log.info('slack started in Socket Mode');
    return { stop: () => bot.stop() };
  }
  if (!config.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
  const receiver = new FastifySlackReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, log });
  const bot = await createSlackBot(runtime, log, { receiver }, options);
  await bot.start();
  if (options.sharesWebServer) {
    return {
      mount: async (app) => {
        await app.register(receiver.plugin);
      },
      stop: () => bot.stop(),
    };
  }
  const server = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  await server.register(receiver.plugin);
  await server.listen({ host: config.HOST, port: config.PORT });
  log.info({ port: config.PORT }, 'slack listening for events on /slack/events');
  return {
    async stop() {
      await server.close();
      await bot.stop();
    },
  };
}

/**
 * Builds the Bolt App over the given receiver (or Socket Mode) and the reply tracker, and hands
 * the features their capabilities: the Slack counterpart of discord-part.ts.
 */
/** Slack's servers fetch an image block's URL themselves: only a PUBLIC_URL they can reach gets previews. */
function slackFetchesPreviews(config: Runtime['config']): boolean {
  return config.SLACK_PREVIEWS === 'on' || (config.SLACK_PREVIEWS === 'auto' && looksPublic(config.PUBLIC_URL));
}

async function createSlackBot(runtime: Runtime, log: Logger, mode: { receiver: Receiver } | { appToken: string }, tuning: SlackTuning): Promise<SlackBot> {
  const { config } = runtime;
  const token = config.SLACK_BOT_TOKEN;
  if (!token) throw new Error('SLACK_BOT_TOKEN is not set');
  // A fresh options object per client: the SDK keeps references to what it is given.
  const clientOptions = (): WebClientOptions => ({
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    retryConfig: tuning.retryConfig ?? { retries: 3, factor: 2, minTimeout: 1000 },
    logger: boltLogger(log),
  });
  const app = new App({
    token,
    ...('receiver' in mode ? { receiver: mode.receiver } : { socketMode: true, appToken: mode.appToken }),
    clientOptions: clientOptions(),
    logger: boltLogger(log),
    // init() below awaits auth.test, so a wrong token fails the start rather than the first request.
    deferInitialization: true,
  });
  await app.init();

  const replyRecords = new SlackReplyRecords(runtime.database.db);
  const sealer = new TokenSealer(config.APP_SECRET);
  const limiter = new WorkspaceLimiter(tuning.workspaceUpdatesPerMinute);
  const tracker = new LiveMessages({
    port: slackPort({
      client: app.client,
      functionClient: (functionToken) => new WebClient(functionToken, clientOptions()),
      setReply: (jobId, reply) => runtime.service.setReply(jobId, reply),
      media: runtime.media,
      links: runtime.mediaLinks,
      sealer,
      limiter,
      projectUrl: (job) => replyProjectUrl(runtime.galleryLinks, job),
      minEditIntervalMs: tuning.minEditIntervalMs ?? 1500,
      ...(slackFetchesPreviews(config) ? { previewUrl: (jobId: string, seq: number) => runtime.previewLinks.url(jobId, seq) } : {}),
      log,
    }),
    records: {
      getJob: (jobId) => runtime.records.getJob(jobId),
      listAssets: (jobId) => runtime.records.listAssets(jobId),
      queuePosition: (job) => runtime.records.queuePosition(job),
      repliesToResume: (platform) => repliesToResume(runtime.database.db, platform),
    },
    events: runtime.events,
    log,
    ...(tuning.recheckMs !== undefined ? { recheckMs: tuning.recheckMs } : {}),
  });
  const deps: SlackFeatureDeps = {
    service: runtime.service,
    admin: runtime.admin,
    records: runtime.records,
    projects: runtime.projects,
    characters: runtime.characters,
    uploads: runtime.uploads,
    uploadDownload: { maxBytes: runtime.config.UPLOAD_MAX_BYTES, timeoutMs: 15_000 },
    gallery: runtime.gallery,
    usage: runtime.usage,
    farm: runtime.farm,
    galleryLinks: runtime.galleryLinks,
    actors: new SlackActorResolver({
      client: app.client,
      mappedUsergroups: (teamId) => replyRecords.mappedPlatformRoles(teamId),
      ...(tuning.lookupTtlMs !== undefined ? { ttlMs: tuning.lookupTtlMs } : {}),
    }),
    tracker,
    sealer,
    client: app.client,
    log,
  };
  registerSlackFeatures(app, deps);

  return {
    async start() {
      await tracker.start();
      try {
        await tracker.resume();
        await app.start();
      } catch (error) {
        // A failed start (e.g. a wrong app token) must not leave the tracker listening to job events.
        await tracker.stop();
        await limiter.stop();
        throw error;
      }
    },
    async stop() {
      await app.stop();
      await tracker.stop();
      await limiter.stop();
    },
  };
}
