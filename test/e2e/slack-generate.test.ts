import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { readSlackReply } from '../../src/bots/slack/reply/reply-handle.js';
import type { StoredMessage } from '../fakes/slack/index.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

const CHANNEL = 'C0STUDIO01';
const AIKO = 'U0AIKO0001';
const REN = 'U0REN00001';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack({
    fake: {
      teamId: 'T0GENERATE',
      users: [{ id: AIKO, name: 'aiko' }, { id: REN, name: 'ren' }],
      channels: [{ id: CHANNEL, name: 'studio' }],
    },
    env: { BUILTIN_STEP_DELAY_MS: '60' },
  });
});
afterAll(async () => {
  await s?.close();
  expect(s?.fake.internalErrors ?? []).toEqual([]);
});

const blockText = (m: StoredMessage) => JSON.stringify(m.blocks ?? []);
const actionIds = (m: StoredMessage) =>
  (m.blocks ?? []).flatMap((b) => ((b as { elements?: { action_id?: string }[] }).elements ?? []).map((e) => e.action_id).filter(Boolean));

/** The bot's job message posted after `since` messages in the channel. */
async function jobMessage(since: number): Promise<StoredMessage> {
  return s.fake.waitFor(() => s.fake.messages(CHANNEL).slice(since).find((m) => !m.thread_ts && m.text.startsWith('Queued')));
}

async function finished(message: StoredMessage, timeoutMs = 15_000): Promise<StoredMessage> {
  return s.fake.waitFor(() => (actionIds(message).includes('job_reroll') ? message : undefined), timeoutMs);
}

async function jobIdOf(message: StoredMessage): Promise<string> {
  const match = /job `([0-9a-f-]{36})`/.exec(blockText(message)) ?? /"value":"([0-9a-f-]{36})"/.exec(blockText(message));
  if (!match?.[1]) throw new Error('no job id in the message');
  return match[1];
}

describe('/generate in Slack', () => {
  test('acks in time, posts "queued", edits with progress, then uploads the image into the thread', async () => {
    const before = s.fake.messages(CHANNEL).length;
    const res = await s.driver.slashCommand({ text: 'a girl with pink hair by the sea --ar 2:3 --seed 42', userId: AIKO, channelId: CHANNEL });
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3000);
    const message = await jobMessage(before);
    expect(message.history[0]?.via).toBe('chat.postMessage');
    expect(message.history[0]?.text).toMatch(/^Queued — 1st in line/);
    expect(actionIds(message)).toEqual(['job_cancel']);

    await finished(message);
    const progress = message.history.filter((v) => /step \d+ of \d+/.test(JSON.stringify(v.blocks)));
    expect(new Set(progress.map((v) => JSON.stringify(v.blocks))).size).toBeGreaterThanOrEqual(2);
    // No edit repeats the one before it.
    for (let i = 1; i < message.history.length; i++) expect(JSON.stringify(message.history[i]!.blocks)).not.toBe(JSON.stringify(message.history[i - 1]!.blocks));

    const final = blockText(message);
    expect(final).toContain('*Seed*\\n42');
    expect(final).toContain('512×768');
    expect(final).toContain('*Backend*');
    expect(final).toContain(`${s.stack.baseUrl}/projects/general`);
    expect(actionIds(message)).toEqual(['job_reroll', 'job_delete']);

    const upload = await s.fake.waitFor(() => s.fake.thread(CHANNEL, message.ts).find((m) => m.files?.length));
    const file = s.fake.files.find((f) => f.id === upload.files?.[0]?.id);
    const meta = await sharp(file?.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 768]);

    const jobId = await jobIdOf(message);
    // The record is marked right after the upload lands; poll the database for that last write.
    await vi.waitFor(async () => {
      const job = await s.stack.runtime.records.getJob(jobId);
      expect(readSlackReply(job?.reply)).toMatchObject({ channel: CHANNEL, ts: message.ts, teamId: 'T0GENERATE', landed: true });
    });
  });
});
