import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StoredMessage } from '../fakes/discord/index.js';
import { ALICE, GENERAL, isFinal, isProgress, startHarness, type Harness } from './discord-harness.js';

let h: Harness;

beforeAll(async () => {
  // The 15-minute token cutover, in one second; jobs take about two.
  h = await startHarness({ env: { DISCORD_TOKEN_CUTOVER_MS: '1000', BUILTIN_STEP_DELAY_MS: '100' } });
});
afterAll(async () => {
  await h?.close();
});

const inChannel = (m: StoredMessage) => m.webhookId === undefined && m.content.includes(`<@${ALICE}>'s image`);

describe('jobs that outlive the interaction token', () => {
  test('after the cutover, progress continues in the channel through the bot token and the final post lands there', async () => {
    const handle = h.generate(ALICE, { prompt: 'a very long scroll painting' });
    await handle.original(isProgress);
    const moved = await h.fake.waitForMessage(GENERAL, (m) => inChannel(m) && !m.deleted, 5_000);
    expect(moved.mentions).toEqual({ users: [], roles: [], everyone: false });
    expect(moved.allowedMentions).toEqual({ parse: [] });
    const pointer = await handle.original((m) => m.content.includes('Continued in a newer message below'));
    expect(pointer.components).toEqual([]);

    const final = await h.fake.waitForMessage(GENERAL, (m) => m.id === moved.id && isFinal(m), 20_000);
    expect((await sharp(final.attachments[0]!.data).metadata()).format).toBe('webp');
    expect(JSON.stringify(final.components)).toContain('ap:reroll');
    expect(h.fake.countRequests(`POST /channels/${GENERAL}/messages`, 200)).toBeGreaterThanOrEqual(1);
    expect(h.fake.requests.some((r) => r.method === 'PATCH' && r.path === `/channels/${GENERAL}/messages/${moved.id}` && r.authorized && r.status === 200)).toBe(true);
    expect(await h.landedReply(h.jobIdOf(final))).toMatchObject({ mode: 'channel', messageId: moved.id, channelId: GENERAL });
  });

  test('an edit answered 401 50027 (token expired) moves the message to the channel at once', async () => {
    const handle = h.generate(ALICE, { prompt: 'a kite over hills', seed: 5 });
    await handle.original((m) => m.content.includes('Queued') || isProgress(m));
    // Discord ends the token early (the fake's clock for this interaction runs out now).
    (handle.record as unknown as { expiresAt: number }).expiresAt = Date.now() - 1;
    const route = 'PATCH /webhooks/:app/:token/messages/:message';
    await h.fake.waitForRequest(route, 401);
    const final = await h.fake.waitForMessage(GENERAL, (m) => inChannel(m) && isFinal(m) && m.content.includes('a kite over hills'), 20_000);
    expect(final.attachments).toHaveLength(1);
    expect(handle.record.followUps).toEqual([]);
    // The dead interaction token never wiped the bot token: later bot-token requests were accepted.
    expect(h.fake.requests.filter((r) => r.authorized && r.status === 401)).toEqual([]);
  });
});
