import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, secretValues, type Config } from './config.js';
import { createRuntime, type Runtime } from './app/runtime.js';
import { startHeartbeat } from './app/heartbeat-part.js';
import { everyPartHealthy, stopInOrder, type RunningParts } from './app/shutdown.js';
import { buildWeb } from './app/web-part.js';
import { startWorker } from './app/worker-part.js';
import { createLogger, wantsPrettyLogs, type Logger } from './shared/logger.js';

type Part = 'web' | 'worker' | 'discord' | 'slack';
const PARTS: readonly Part[] = ['web', 'worker', 'discord', 'slack'];

/** `npm start` runs every part; `npm run worker` (etc.) runs one. Bots start only with credentials. */
function chooseParts(args: string[], config: Config): Part[] {
  const asked = args.filter((a): a is Part => (PARTS as readonly string[]).includes(a));
  const unknown = args.filter((a) => !(PARTS as readonly string[]).includes(a));
  if (unknown.length > 0) throw new ConfigError([`unknown part "${unknown[0]}": expected one of ${PARTS.join(', ')}`]);
  if (asked.length > 0) return asked;
  const parts: Part[] = ['web', 'worker'];
  if (config.DISCORD_TOKEN) parts.push('discord');
  if (config.SLACK_BOT_TOKEN) parts.push('slack');
  return parts;
}

/**
 * Starts the parts one by one into `started`, so a shutdown that arrives mid-start finds what is
 * running; once `stopping()` says so, no further part is started.
 */
async function startParts(parts: Part[], runtime: Runtime, started: RunningParts, stopping: () => boolean): Promise<void> {
  const { config, log } = runtime;
  if (parts.includes('worker')) {
    const worker = await startWorker(runtime);
    started.worker = { name: 'worker', stop: () => worker.close(), healthy: () => worker.isRunning() };
  }
  const needsBot = (part: Part) => parts.includes(part) && !stopping();
  if (needsBot('discord')) {
    const { startDiscord } = await import('./app/discord-part.js');
    const bot = await startDiscord(runtime);
    started.bots.push({ name: 'discord', stop: () => bot.stop(), healthy: () => bot.client.isReady() });
  }
  let mountSlack: ((app: FastifyInstance) => Promise<void>) | undefined;
  if (needsBot('slack')) {
    const { startSlack } = await import('./app/slack-part.js');
    const bot = await startSlack(runtime, { sharesWebServer: parts.includes('web') });
    mountSlack = bot.mount;
    started.bots.push({ name: 'slack', stop: () => bot.stop() });
  }
  if (parts.includes('web') && !stopping()) {
    const app = await buildWeb(runtime, mountSlack);
    await app.listen({ host: config.HOST, port: config.PORT });
    log.info({ url: config.PUBLIC_URL }, 'web server listening');
    started.web = { name: 'web', stop: () => app.close() };
    if (config.NODE_ENV !== 'production') await printLocalToken(runtime);
  }
}

/** Outside production, a newcomer gets a working admin token at once. */
async function printLocalToken(runtime: Runtime): Promise<void> {
  const { token } = await runtime.tokens.issue({ subject: 'local-admin', role: 'admin', ttlSeconds: 7 * 24 * 3600, issuedBy: 'npm start' });
  // Printed to the terminal for the operator, deliberately not through the logger.
  process.stdout.write(`\nTry it: ${runtime.config.PUBLIC_URL}/#token=${token}\n(a local admin token valid for 7 days; npm run token makes others)\n\n`);
}

async function main(): Promise<void> {
  // A local .env is read when present (Node's own parser); real deployments set the environment.
  // (process.loadEnvFile arrived in Node 20.12; older 20.x releases read only the real environment.)
  if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log: Logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config), pretty: wantsPrettyLogs(config.NODE_ENV, process.stdout) });
  if (config.appSecretGenerated) log.warn('APP_SECRET is not set: using a generated one kept under DATA_DIR (development only)');
  const parts = chooseParts(process.argv.slice(2), config);
  const runtime = await createRuntime(config, log);
  const started: RunningParts = { bots: [] };
  let stopping = false;
  // The handlers go in before any part starts: the worker takes a job as soon as it runs, and a
  // SIGTERM before them would kill the process with the job held (seen in CI on a busy machine).
  const startup = (async () => {
    await startParts(parts, runtime, started, () => stopping);
    return stopping ? undefined : startHeartbeat(runtime, parts, () => everyPartHealthy(started));
  })();
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // A part mid-start finishes starting (no further one begins) and is then stopped like the rest.
    const heartbeat = await startup.catch(() => undefined);
    // Unmarked alongside, not first: the worker must stop taking jobs without waiting on Redis.
    const unmarked = heartbeat?.stop() ?? Promise.resolve();
    await stopInOrder(started, async () => {
      await unmarked;
      await runtime.close();
    }, config.SHUTDOWN_GRACE_MS, log);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await startup;
  if (!stopping) log.info({ parts, backends: config.backends.length > 0 ? config.backends.map((b) => b.name) : ['builtin'] }, 'anime production started');
}

main().catch((error: unknown) => {
  // Start-up failures: one clear line, no stack for expected connection problems.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`anime-production could not start: ${message}\n`);
  process.exit(1);
});
