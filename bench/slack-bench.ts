import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startSlack } from '../src/app/slack-part.js';
import { buildWeb } from '../src/app/web-part.js';
import { createSlackDriver, startFakeSlack } from '../test/fakes/slack/index.js';
import { benchEnvironment } from './environment.js';
import { summarize, type ChatFigures } from './stats.js';

const SAMPLES = Number(process.env.BENCH_SLACK_SAMPLES ?? 300);
const WARMUP = 20;
const USERS = 20;
const CHANNEL = 'C0BENCH001';
const SECRET = 'bench-signing-secret';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * /generate through the whole HTTP path (real Bolt, real WebClient, fake Slack on loopback, real
 * Postgres and Redis, no worker): request sent -> HTTP ack, and -> "queued" message stored in the
 * fake. One command at a time, users round-robin so per-user limits and caches look like a team's.
 */
export async function benchSlack(): Promise<ChatFigures> {
  const users = Array.from({ length: USERS }, (_, i) => `U0BENCH${String(i).padStart(3, '0')}`);
  const fake = await startFakeSlack({ teamId: 'T0BENCH001', users: users.map((id) => ({ id })), channels: [CHANNEL] });
  const port = await freePort();
  const env = await benchEnvironment({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SLACK_BOT_TOKEN: fake.identity.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
  });
  const slack = await startSlack(env.runtime, { sharesWebServer: true, retryConfig: { retries: 0 } });
  const web = await buildWeb(env.runtime, slack.mount);
  await web.listen({ host: '127.0.0.1', port });
  const driver = createSlackDriver({ targetUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, fake });
  const ack: number[] = [];
  const queued: number[] = [];
  const baseline: number[] = [];
  try {
    // Baseline: a signed url_verification through the same server and signature check, no command.
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const res = await driver.urlVerification(`challenge-${i}`);
      if (i >= WARMUP) baseline.push(res.elapsedMs);
    }
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const marker = `bench prompt number ${i}`;
      const started = performance.now();
      const res = await driver.slashCommand({ text: marker, userId: users[i % USERS]!, channelId: CHANNEL });
      if (res.status !== 200) throw new Error(`bench: /generate answered ${res.status}`);
      await fake.waitFor(() => fake.messages(CHANNEL).some((m) => m.text.endsWith(marker)), 10_000);
      const queuedMs = performance.now() - started;
      if (i >= WARMUP) {
        ack.push(res.elapsedMs);
        queued.push(queuedMs);
      }
    }
  } finally {
    await web.close();
    await slack.stop();
    await env.close();
    await fake.close();
  }
  return { first: summarize(ack), queued: summarize(queued), baseline: summarize(baseline), samples: ack.length };
}
