import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { LiveReply } from '../../src/bots/discord/live-reply.js';
import type { DiscordReply } from '../../src/bots/discord/reply-handle.js';
import { progressBar } from '../../src/bots/discord/render.js';
import type { ReadyMessage, ReplyTransport } from '../../src/bots/discord/transport.js';
import { createLogger } from '../../src/shared/logger.js';
import { MediaLinks } from '../../src/infra/links/media-links.js';

type Sent = { how: 'interaction' | 'channel-edit' | 'channel-post'; messageId: string; content: string };

function harness(overrides: Partial<DiscordReply> = {}) {
  const sent: Sent[] = [];
  const saved: DiscordReply[] = [];
  const done: string[] = [];
  const transport: ReplyTransport = {
    editInteraction: async (_app, _token, messageId, m: ReadyMessage) => void sent.push({ how: 'interaction', messageId, content: m.body.content }),
    editChannel: async (_channel, messageId, m) => void sent.push({ how: 'channel-edit', messageId, content: m.body.content }),
    postChannel: async (_channel, m) => {
      sent.push({ how: 'channel-post', messageId: 'new-1', content: m.body.content });
      return 'new-1';
    },
  };
  const reply: DiscordReply = {
    platform: 'discord', appId: '1', token: 't', guildId: 'g', channelId: 'c', messageId: 'm-1', userId: '42',
    createdAt: Date.now(), mode: 'interaction', attachmentSizeLimit: 10 << 20, landed: false, ...overrides,
  };
  const live = new LiveReply(reply, { jobId: 'job-1', prompt: 'a cat @everyone', userId: '42', projectSlug: 'general' }, {
    transport,
    links: new MediaLinks('x'.repeat(40), 'http://localhost'),
    projectUrl: (job) => `http://localhost/gallery/${job.spaceId}/p/${job.projectSlug}`,
    readMedia: async () => Buffer.alloc(0),
    saveReply: async (_id, r) => void saved.push(r),
    intervalMs: 1_500,
    cutoverMs: 10_000,
    log: createLogger({ level: 'silent', secrets: [] }),
    onDone: (id) => void done.push(id),
  });
  return { live, sent, saved, done };
}

const progress = (step: number) => ({ kind: 'progress' as const, step, totalSteps: 20, percent: step * 4, stage: 'generating' });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a live job message', () => {
  test('a place-in-line update moves the number up, but never takes a started job back to "queued"', async () => {
    const { live, sent } = harness();
    live.show({ kind: 'queued', position: 3 });
    await vi.advanceTimersByTimeAsync(0);
    live.show({ kind: 'queued', position: 2 });
    await vi.advanceTimersByTimeAsync(1_500);
    live.show(progress(1));
    await vi.advanceTimersByTimeAsync(1_500);
    live.show({ kind: 'queued', position: 1 });
    await vi.advanceTimersByTimeAsync(3_000);
    const lines = sent.map((s) => s.content.split('\n')[1]);
    expect(lines.slice(0, 2)).toEqual(['⏳ Queued — 3rd in line', '⏳ Queued — 2nd in line']);
    expect(lines).toHaveLength(3);
    expect(lines[2]).not.toMatch(/Queued/);
  });

  test('sends at most one edit per interval, the latest state wins, and an unchanged state is not sent', async () => {
    const { live, sent } = harness();
    live.show({ kind: 'queued', position: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.content.split('\n')[1])).toEqual(['⏳ Queued — 2nd in line']);
    for (let step = 1; step <= 10; step++) live.show(progress(step));
    await vi.advanceTimersByTimeAsync(1_499);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.content).toContain(`step 10 of 20\n\`${progressBar(40)}\` 40%`);
    live.show(progress(10));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(2);
    await live.stop();
  });

  test('a queued job moves to the channel at the cutover even without events, and points the old reply there', async () => {
    const { live, sent, saved } = harness();
    live.show({ kind: 'queued', position: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent.map((s) => s.how)).toEqual(['interaction', 'channel-post', 'interaction']);
    expect(sent[1]!.content.split('\n')[0]).toBe("<@42>'s image — continued here because the first reply expired.");
    expect(sent[2]!.content).toContain('Continued in a newer message below');
    expect(saved.at(-1)).toMatchObject({ mode: 'channel', messageId: 'new-1', landed: false });
    live.show(progress(3));
    await vi.advanceTimersByTimeAsync(1_500);
    expect(sent.at(-1)).toMatchObject({ how: 'channel-edit', messageId: 'new-1' });
    await live.stop();
  });

  test('the final state is marked landed once posted, and nothing is sent after it', async () => {
    const { live, sent, saved, done } = harness();
    live.show({ kind: 'cancelled', by: 'moderator' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent[0]!.content).toContain('Cancelled by a moderator');
    expect(saved.at(-1)).toMatchObject({ landed: true });
    expect(done).toEqual(['job-1']);
    live.show(progress(1));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(1);
  });
});
