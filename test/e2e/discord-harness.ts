import type { Actor } from '../../src/core/actor.js';
import { startDiscord, type RunningDiscord } from '../../src/app/discord-part.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type InteractionHandle, type StoredMessage } from '../fakes/discord/index.js';
import { startTestStack, type TestStack } from '../support/stack.js';

export const GUILD = '910000000000000001';
export const OTHER_GUILD = '910000000000000002';
export const GENERAL = '910000000000000010';
export const LOUNGE = '910000000000000011';
export const CREATOR_ROLE = '910000000000000020';
export const VIEWER_ROLE = '910000000000000021';
export const MOD_ROLE = '910000000000000022';
export const OWNER = '910000000000000030';
export const ALICE = '910000000000000031';
export const BOB = '910000000000000032';
export const VIC = '910000000000000033';
export const MOD = '910000000000000034';

export interface Harness {
  fake: FakeDiscord;
  stack: TestStack;
  bot: RunningDiscord;
  generate(userId: string, options: Record<string, string | number>, extra?: { guildId?: string; channelId?: string }): InteractionHandle;
  command(userId: string, commandName: string, options: Record<string, unknown>[] | Record<string, string | number | boolean>, extra?: { guildId?: string }): InteractionHandle;
  click(userId: string, customId: string, message: StoredMessage): InteractionHandle;
  /** The job id the final or progress message's buttons carry. */
  jobIdOf(message: StoredMessage): string;
  adminActor(guildId?: string): Actor;
  /** The job's stored reply once `landed` is true (written right after the final edit is accepted). */
  landedReply(jobId: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  restartBot(): Promise<void>;
  stopBot(): Promise<void>;
  startBot(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  fake?: FakeDiscordOptions;
  env?: Record<string, string>;
  worker?: boolean;
  progressIntervalMs?: number;
}

/** A fake Discord, a whole service on its own database and Redis prefix, and the real bot between them. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeDiscord({
    heartbeatIntervalMs: 5_000,
    rateLimit: { limit: 1000, windowMs: 1000 },
    guilds: [
      {
        id: GUILD,
        name: 'Studio',
        ownerId: OWNER,
        roles: [
          { id: CREATOR_ROLE, name: 'artists', mentionable: true },
          { id: VIEWER_ROLE, name: 'lurkers', mentionable: true },
          { id: MOD_ROLE, name: 'mods', mentionable: true },
        ],
        channels: [
          { id: GENERAL, name: 'general' },
          { id: LOUNGE, name: 'lounge' },
        ],
        members: [
          { id: ALICE, username: 'alice', roles: [CREATOR_ROLE] },
          { id: BOB, username: 'bob', roles: [CREATOR_ROLE] },
          { id: VIC, username: 'vic', roles: [VIEWER_ROLE] },
          { id: MOD, username: 'mod', roles: [MOD_ROLE] },
        ],
      },
      {
        id: OTHER_GUILD,
        name: 'Strict',
        ownerId: OWNER,
        channels: [{ id: '910000000000000012', name: 'strict-general' }],
        members: [{ id: ALICE, username: 'alice' }, { id: BOB, username: 'bob' }],
      },
    ],
    ...options.fake,
  });
  const stack = await startTestStack({
    worker: options.worker ?? true,
    env: {
      DISCORD_TOKEN: fake.token,
      DISCORD_APP_ID: fake.applicationId,
      DISCORD_API_BASE: fake.apiBase,
      BUILTIN_STEP_DELAY_MS: '40',
      ...options.env,
    },
  });
  const start = () => startDiscord(stack.runtime, { progressIntervalMs: options.progressIntervalMs ?? 100 });
  const harness: Harness = {
    fake,
    stack,
    bot: await start(),
    generate: (userId, opts, extra = {}) => fake.dispatchInteraction({ userId, commandName: 'generate', options: opts, ...extra }),
    command: (userId, commandName, opts, extra = {}) => fake.dispatchInteraction({ userId, commandName, options: opts as never, ...extra }),
    click: (userId, customId, message) =>
      fake.dispatchInteraction({ kind: 'component', userId, customId, messageId: message.id, channelId: message.channelId, guildId: message.guildId }),
    jobIdOf(message) {
      const ids = JSON.stringify(message.components).match(/ap:[a-z]+:([0-9a-f-]{36})/);
      if (!ids?.[1]) throw new Error(`no job button on message ${message.id}: ${message.content}`);
      return ids[1];
    },
    adminActor: (guildId = GUILD) => ({ platform: 'discord', spaceExternalId: guildId, userExternalId: OWNER, platformRoles: [], isPlatformAdmin: true }),
    async landedReply(jobId, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const reply = (await stack.runtime.records.getJob(jobId))?.reply as Record<string, unknown> | undefined;
        if (reply?.landed === true) return reply;
        if (Date.now() > deadline) throw new Error(`reply of ${jobId} not landed after ${timeoutMs} ms: ${JSON.stringify(reply)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async restartBot() {
      await harness.stopBot();
      await harness.startBot();
    },
    async stopBot() {
      await harness.bot.stop();
    },
    async startBot() {
      harness.bot = await start();
    },
    async close() {
      await harness.bot.stop();
      await stack.close();
      await fake.close();
    },
  };
  return harness;
}

/** Options as Discord sends subcommands: `[{ name: group, type: 2, options: [{ name: sub, type: 1, options }] }]`. */
export function subcommand(group: string, sub: string, options: Record<string, unknown>[] = []): Record<string, unknown>[] {
  return [{ name: group, type: 2, options: [{ name: sub, type: 1, options }] }];
}

export const isProgress = (m: StoredMessage) => /step \d+ of \d+/.test(m.content);
export const isFinal = (m: StoredMessage) => m.content.includes('✅ Done');
