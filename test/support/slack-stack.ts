import type { FastifyInstance } from 'fastify';
import { startSlack, type SlackPart, type SlackTuning } from '../../src/app/slack-part.js';
import { buildWeb } from '../../src/app/web-part.js';
import { createSlackDriver, startFakeSlack, type FakeSlack, type FakeSlackOptions, type SlackDriver } from '../fakes/slack/index.js';
import { startTestStack, type TestStack } from './stack.js';

export const SLACK_SIGNING_SECRET = 'slack-test-signing-secret';

/** Short waits so tests see several edits and retried 429s quickly; the figures are production's otherwise. */
export const TEST_TUNING: SlackTuning = {
  retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 },
  minEditIntervalMs: 100,
  workspaceUpdatesPerMinute: 6000,
};

export interface SlackStack {
  stack: TestStack;
  fake: FakeSlack;
  driver: SlackDriver;
  part: SlackPart;
  web: FastifyInstance;
  /** Stops the Slack part (and the web server it is mounted on) and starts a new one on the same runtime. */
  restartSlack(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole service (Postgres, Redis, web, optional worker) with the Slack part mounted on the web
 * server and pointed at a fake Slack. The fake starts first: Bolt calls auth.test while starting.
 */
export async function startSlackStack(options: { fake?: FakeSlackOptions; env?: Record<string, string>; worker?: boolean; tuning?: SlackTuning } = {}): Promise<SlackStack> {
  const fake = await startFakeSlack(options.fake);
  const stack = await startTestStack({
    web: false,
    worker: options.worker ?? true,
    env: {
      SLACK_BOT_TOKEN: fake.identity.botToken,
      SLACK_SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      ...options.env,
    },
  });
  const tuning = { ...TEST_TUNING, ...options.tuning };
  const port = Number(stack.env.PORT);
  const startParts = async () => {
    const part = await startSlack(stack.runtime, { sharesWebServer: true, ...tuning });
    const web = await buildWeb(stack.runtime, part.mount);
    await web.listen({ host: '127.0.0.1', port });
    return { part, web };
  };
  let parts = await startParts();
  const driver = createSlackDriver({ targetUrl: `${stack.baseUrl}/slack/events`, signingSecret: SLACK_SIGNING_SECRET, fake });
  const slackStack: SlackStack = {
    stack,
    fake,
    driver,
    get part() {
      return parts.part;
    },
    get web() {
      return parts.web;
    },
    async restartSlack() {
      await parts.web.close();
      await parts.part.stop();
      parts = await startParts();
    },
    async close() {
      await parts.web.close().catch(() => undefined);
      await parts.part.stop().catch(() => undefined);
      await stack.close();
      await fake.close();
    },
  };
  return slackStack;
}
