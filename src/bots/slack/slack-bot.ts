import { App, type Receiver } from '@slack/bolt';
import { WebClient, type RetryOptions, type WebClientOptions } from '@slack/web-api';
import type { Runtime } from '../../app/runtime.js';
import { LiveMessages } from '../../core/job-message/live-messages.js';
import { repliesToResume } from '../../db/reply-records.js';
import { SlackReplyRecords } from '../../db/slack-reply-records.js';
import { MediaLinks } from '../../web/media-links.js';
import { registerJobButtons } from './actions/job-buttons.js';
import { SlackActorResolver } from './actor.js';
import { boltLogger } from './bolt-logger.js';
import { registerConfigCommand } from './commands/admin-config.js';
import { registerTokenCommand } from './commands/api-token.js';
import { registerCancelCommand } from './commands/cancel.js';
import { registerCharacterCommand } from './commands/character.js';
import { registerGalleryCommands } from './commands/gallery.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerGenerateModal } from './commands/generate-modal.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerProjectCommand } from './commands/project.js';
import type { SlackFeatureDeps } from './deps.js';
import { TokenSealer } from './reply/reply-handle.js';
import { slackPort } from './reply/live-port.js';
import { replyProjectUrl } from './reply/reply-view.js';
import { WorkspaceLimiter } from './reply/workspace-limiter.js';
import { registerGenerateImageStep } from './workflow/generate-image-step.js';

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

export interface SlackBot {
  app: App;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The one startup file of the Slack adapter: builds the Bolt App over the given receiver (or Socket
 * Mode), the reply tracker, and wires every feature explicitly.
 */
export async function createSlackBot(
  runtime: Runtime,
  mode: { receiver: Receiver } | { appToken: string },
  tuning: SlackTuning = {},
): Promise<SlackBot> {
  const { config } = runtime;
  const log = runtime.log.child({ component: 'slack' });
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
      links: new MediaLinks(config.APP_SECRET, config.PUBLIC_URL),
      sealer,
      limiter,
      projectUrl: (job) => replyProjectUrl(runtime.galleryLinks, job),
      minEditIntervalMs: tuning.minEditIntervalMs ?? 1500,
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
    gallery: runtime.gallery,
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

  registerGenerateCommand(app, deps);
  registerGenerateModal(app, deps);
  registerJobsCommand(app, deps);
  registerCancelCommand(app, deps);
  registerConfigCommand(app, deps);
  registerTokenCommand(app, deps);
  registerProjectCommand(app, deps);
  registerCharacterCommand(app, deps);
  registerGalleryCommands(app, deps);
  registerJobButtons(app, deps);
  registerGenerateImageStep(app, deps);
  app.error(async (error) => {
    log.error({ err: error }, 'unhandled error in a Slack listener');
  });

  return {
    app,
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
