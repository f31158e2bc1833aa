import Fastify, { type FastifyInstance } from 'fastify';
import { FastifySlackReceiver } from '../bots/slack/fastify-receiver.js';
import { createSlackBot, type SlackTuning } from '../bots/slack/slack-bot.js';
import type { Runtime } from './runtime.js';

export interface SlackPart {
  /** Mounts POST /slack/events on the shared web server (HTTP mode with the web part). */
  mount?: (app: FastifyInstance) => Promise<void>;
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
    const bot = await createSlackBot(runtime, { appToken: config.SLACK_APP_TOKEN }, options);
    await bot.start();
    log.info('slack started in Socket Mode');
    return { stop: () => bot.stop() };
  }
  if (!config.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
  const receiver = new FastifySlackReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, log });
  const bot = await createSlackBot(runtime, { receiver }, options);
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
