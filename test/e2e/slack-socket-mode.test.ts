import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSlack, type SlackPart } from '../../src/app/slack-part.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';
import { TEST_TUNING } from '../support/slack-stack.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const CHANNEL = 'C0SOCKET01';
const AIKO = 'U0AIKO0001';
const APP_TOKEN = 'xapp-1-A0FAKEAPP1-1-socket-mode-test';

let fake: FakeSlack;
let stack: TestStack;
let part: SlackPart | undefined;
let rerollOf = '';

const buttons = (blocks: unknown[] | undefined): Record<string, unknown>[] =>
  (blocks ?? []).flatMap((b) => (b as { elements?: Record<string, unknown>[] }).elements ?? []).filter((e) => e.type === 'button');

/** The whole service with the worker; Slack runs in Socket Mode (no signing secret, no web port). */
async function startStack(appToken: string): Promise<TestStack> {
  return startTestStack({
    web: false,
    worker: true,
    env: {
      SLACK_BOT_TOKEN: fake.identity.botToken,
      SLACK_APP_TOKEN: appToken,
      SLACK_API_URL: fake.apiUrl,
      BUILTIN_STEP_DELAY_MS: '20',
      RATE_LIMIT_PER_MINUTE: '1000',
      RATE_LIMIT_BURST: '100',
    },
  });
}

beforeAll(async () => {
  // Ping often so the test sees the client answer the server's pings.
  fake = await startFakeSlack({ appToken: APP_TOKEN, socketPingIntervalMs: 200, channels: [{ id: CHANNEL, name: 'studio' }], users: [{ id: AIKO, name: 'aiko' }] });
  stack = await startStack(APP_TOKEN);
  part = await startSlack(stack.runtime, { sharesWebServer: false, ...TEST_TUNING });
});
afterAll(async () => {
  await part?.stop();
  await stack?.close();
  await fake?.close();
  expect(fake?.internalErrors ?? []).toEqual([]);
});

describe('Slack in Socket Mode', () => {
  test('opens a connection with the app token, without SLACK_SIGNING_SECRET and without an HTTP mount', () => {
    expect(stack.runtime.config.SLACK_SIGNING_SECRET).toBeUndefined();
    expect(part?.mount).toBeUndefined();
    const opens = fake.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ token: APP_TOKEN, response: { ok: true } });
    expect(fake.socketMode.connections).toHaveLength(1);
    expect(fake.socketMode.connections[0]).toMatchObject({ appToken: APP_TOKEN });
    expect(fake.socketMode.connections[0]?.closedAt).toBeUndefined();
  });

  test('answers server pings and pings the server', async () => {
    await fake.waitFor(() => (fake.socketMode.connections[0]?.pongs ?? 0) >= 2, 3000);
    // The client pings every clientPingTimeout (5 s) / 3 and drops the socket without pongs.
    await fake.waitFor(() => (fake.socketMode.connections[0]?.clientPings ?? 0) >= 1, 4000);
  });

  test('/generate as an envelope: acked within 3 s, "queued" posted, image uploaded into the thread', async () => {
    const ack = await fake.socketMode.sendSlashCommand({ text: 'a fox in the snow --ar 1:1 --seed 7', userId: AIKO, channelId: CHANNEL });
    expect(ack.elapsedMs).toBeLessThan(3000);
    const queued = await fake.waitFor(() => fake.messages(CHANNEL).find((m) => !m.thread_ts && m.text.startsWith('Queued')));
    expect(queued.history[0]?.via).toBe('chat.postMessage');
    const upload = await fake.waitFor(() => fake.thread(CHANNEL, queued.ts).find((m) => m.files?.length), 20_000);
    const file = fake.files.find((f) => f.id === upload.files?.[0]?.id);
    expect(file?.bytes?.subarray(1, 4).toString()).toBe('PNG');
    rerollOf = await fake.waitFor(() => buttons(queued.blocks).find((b) => b.action_id === 'job_reroll') && queued.ts);
  });

  test('a button click arrives as an interactive envelope: acked, and the reroll is queued', async () => {
    const message = fake.message(CHANNEL, rerollOf);
    const button = buttons(message?.blocks).find((b) => b.action_id === 'job_reroll');
    const before = fake.messages(CHANNEL).length;
    const ack = await fake.socketMode.sendInteractive({
      type: 'block_actions',
      api_app_id: fake.identity.appId,
      team: { id: fake.identity.teamId, domain: fake.identity.teamDomain },
      user: { id: AIKO, username: 'aiko', name: 'aiko', team_id: fake.identity.teamId },
      channel: { id: CHANNEL, name: 'studio' },
      container: { type: 'message', message_ts: rerollOf, channel_id: CHANNEL, is_ephemeral: false },
      message: fake.wireMessage(CHANNEL, rerollOf),
      trigger_id: fake.issueTrigger(AIKO).trigger_id,
      response_url: fake.issueResponseUrl(CHANNEL, AIKO, { channel: CHANNEL, ts: rerollOf, ephemeral: false }).url,
      state: { values: {} },
      actions: [{ ...button, action_ts: (Date.now() / 1000).toFixed(6) }],
    });
    expect(ack.elapsedMs).toBeLessThan(3000);
    const second = await fake.waitFor(() => fake.messages(CHANNEL).slice(before).find((m) => !m.thread_ts));
    expect(second.history[0]?.text).toMatch(/^Queued/);
    expect(second.history[0]?.text).toContain('a fox in the snow');
    // Let the reroll finish so the next test stops a quiet bot.
    await fake.waitFor(() => fake.thread(CHANNEL, second.ts).find((m) => m.files?.length), 20_000);
  });

  test('stop() closes the socket', async () => {
    await part?.stop();
    part = undefined;
    await fake.waitFor(() => fake.socketMode.connections[0]?.closedAt !== undefined, 3000);
  });

  test('a wrong app token fails start-up with invalid_auth', async () => {
    const wrong = await startStack('xapp-1-A0FAKEAPP1-1-wrong');
    try {
      await expect(startSlack(wrong.runtime, { sharesWebServer: false, ...TEST_TUNING })).rejects.toThrow(/invalid_auth/);
      expect(fake.callsTo('apps.connections.open').at(-1)?.response).toEqual({ ok: false, error: 'invalid_auth' });
      expect(fake.socketMode.connections).toHaveLength(1);
    } finally {
      await wrong.close();
    }
  });
});
