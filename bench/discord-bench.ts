import { performance } from 'node:perf_hooks';
import { startDiscord } from '../src/app/discord-part.js';
import { startFakeDiscord } from '../test/fakes/discord/index.js';
import { benchEnvironment } from './environment.js';
import { summarize, type ChatFigures } from './stats.js';

const GUILD = '920000000000000001';
const CHANNEL = '920000000000000010';
const USER = '920000000000000030';
const WARMUP = 20;

/**
 * Interaction dispatched by the fake -> defer callback received by the fake, and -> the "queued" edit
 * received, one interaction at a time through the real discord.js client, Postgres and Redis. No
 * worker runs, so every job stays queued: this measures the adapter and the core's admission path.
 */
export async function benchDiscord(samples = Number(process.env.BENCH_DISCORD_SAMPLES ?? 300)): Promise<ChatFigures> {
  const fake = await startFakeDiscord({
    rateLimit: { limit: 100_000, windowMs: 1_000 },
    guilds: [{ id: GUILD, name: 'Bench', ownerId: '920000000000000031', channels: [{ id: CHANNEL, name: 'general' }], members: [{ id: USER, username: 'bench' }] }],
  });
  const env = await benchEnvironment({ DISCORD_TOKEN: fake.token, DISCORD_APP_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase });
  const bot = await startDiscord(env.runtime);
  try {
    const defer: number[] = [];
    const queued: number[] = [];
    for (let i = 0; i < WARMUP + samples; i++) {
      const started = performance.now();
      const handle = fake.dispatchInteraction({ userId: USER, commandName: 'generate', options: { prompt: `bench image ${i}` } });
      await handle.callback();
      const deferred = performance.now();
      await handle.original((m) => m.content.includes('Queued'));
      const shown = performance.now();
      if (i >= WARMUP) {
        defer.push(deferred - started);
        queued.push(shown - started);
      }
    }
    // Baseline: one authenticated REST round trip to the same fake, the floor under any reply.
    const baseline: number[] = [];
    for (let i = 0; i < WARMUP + samples; i++) {
      const started = performance.now();
      const response = await fetch(`${fake.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${fake.token}` } });
      await response.arrayBuffer();
      if (i >= WARMUP) baseline.push(performance.now() - started);
    }
    return { first: summarize(defer), queued: summarize(queued), baseline: summarize(baseline), samples };
  } finally {
    await bot.stop();
    await env.close();
    await fake.close();
  }
}
