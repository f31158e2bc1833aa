import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { discordPort } from '../../src/bots/discord/live-port.js';
import type { DiscordReply } from '../../src/bots/discord/reply-handle.js';
import { progressBar } from '../../src/bots/discord/render.js';
import type { ReadyMessage, ReplyTransport } from '../../src/bots/discord/transport.js';
import type { JobEvent } from '../../src/core/events.js';
import { LiveMessages } from '../../src/core/job-message/live-messages.js';
import type { JobRecord } from '../../src/core/records.js';
import { JOB_ID, jobRecord } from '../support/job-fixtures.js';

type Sent = { how: 'interaction' | 'channel-edit' | 'channel-post'; messageId: string; content: string; files: Array<{ name: string; data: unknown }>; embeds: unknown[] };

async function harness(record: JobRecord = jobRecord({ request: { prompt: 'a cat @everyone' } }), previews = new Map<string, Buffer>()) {
  const sent: Sent[] = [];
  const saved: DiscordReply[] = [];
  const listeners: Array<(e: JobEvent) => void> = [];
  const transport: ReplyTransport = {
    editInteraction: async (_app, _token, messageId, m: ReadyMessage) => void sent.push({ how: 'interaction', messageId, content: m.body.content, files: m.files, embeds: m.body.embeds }),
    editChannel: async (_channel, messageId, m) => void sent.push({ how: 'channel-edit', messageId, content: m.body.content, files: m.files, embeds: m.body.embeds }),
    postChannel: async (_channel, m) => {
      sent.push({ how: 'channel-post', messageId: 'new-1', content: m.body.content, files: m.files, embeds: m.body.embeds });
      return 'new-1';
    },
  };
  const reply: DiscordReply = {
    platform: 'discord', appId: '1', token: 't', guildId: 'g', channelId: 'c', messageId: 'm-1', userId: '42',
    createdAt: Date.now(), mode: 'interaction', attachmentSizeLimit: 10 << 20, landed: false,
  };
  const live = new LiveMessages({
    port: discordPort({
      transport,
      links: { url: (id) => `http://localhost/media/${id}` },
      projectUrl: (job) => `http://localhost/gallery/${job.spaceId}/p/${job.projectSlug}`,
      readMedia: async () => Buffer.alloc(0),
      readPreview: async (jobId) => previews.get(jobId),
      saveReply: async (_id, r) => void saved.push(r),
      intervalMs: 1_500,
      cutoverMs: 10_000,
    }),
    records: { getJob: async () => record, listAssets: async () => [], queuePosition: async () => 1, repliesToResume: async () => [] },
    events: { publish: async () => undefined, subscribe: async (l) => (listeners.push(l), async () => undefined) },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await live.start();
  const emit = (e: JobEvent) => listeners.forEach((l) => l(e));
  return { live, reply, sent, saved, emit, record: (r: JobRecord) => void (record = r) };
}

const progress = (step: number): JobEvent => ({ type: 'progress', jobId: JOB_ID, at: 100 + step, step, totalSteps: 20, percent: step * 4, stage: 'generating' });
const second = (s: Sent) => s.content.split('\n')[1];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a live Discord job message', () => {
  test('a preview is uploaded with the progress edit as the embed\'s image; gone by send time, the edit goes out without it', async () => {
    const previews = new Map([[JOB_ID, Buffer.from('webp-bytes')]]);
    const { live, sent, reply, emit } = await harness(undefined, previews);
    await live.announce(jobRecord(), reply, 1);
    await vi.advanceTimersByTimeAsync(0);
    emit({ type: 'started', jobId: JOB_ID, at: 50, attempt: 1, backend: 'comfyui' });
    emit(progress(2));
    emit({ type: 'preview', jobId: JOB_ID, at: 103, seq: 1 });
    await vi.advanceTimersByTimeAsync(1_500);
    expect(sent.at(-1)!.files).toEqual([{ name: 'preview.webp', data: Buffer.from('webp-bytes'), contentType: 'image/webp' }]);
    expect(sent.at(-1)!.embeds).toEqual([{ title: 'Live preview', image: { url: 'attachment://preview.webp' } }]);
    previews.clear();
    emit(progress(3));
    emit({ type: 'preview', jobId: JOB_ID, at: 104, seq: 2 });
    await vi.advanceTimersByTimeAsync(1_500);
    expect(second(sent.at(-1)!)).toMatch(/step 3 of 20/);
    expect(sent.at(-1)!.files).toEqual([]);
    expect(sent.at(-1)!.embeds).toEqual([]);
    await live.stop();
  });

  test('a place-in-line update moves the number up, but never takes a started job back to "queued"', async () => {
    const { live, sent, reply, emit } = await harness();
    await live.announce(jobRecord(), reply, 3);
    await vi.advanceTimersByTimeAsync(0);
    emit({ type: 'queued', jobId: JOB_ID, at: 1, position: 2 });
    await vi.advanceTimersByTimeAsync(1_500);
    emit(progress(1));
    await vi.advanceTimersByTimeAsync(1_500);
    emit({ type: 'queued', jobId: JOB_ID, at: 200, position: 1 });
    await vi.advanceTimersByTimeAsync(3_000);
    const lines = sent.map(second);
    expect(lines.slice(0, 2)).toEqual(['⏳ Queued — 3rd in line', '⏳ Queued — 2nd in line']);
    expect(lines).toHaveLength(3);
    expect(lines[2]).not.toMatch(/Queued/);
    await live.stop();
  });

  test('sends at most one edit per interval, the latest state wins, and an unchanged state is not sent', async () => {
    const { live, sent, reply, emit } = await harness();
    await live.announce(jobRecord(), reply, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map(second)).toEqual(['⏳ Queued — 2nd in line']);
    for (let step = 1; step <= 10; step++) emit(progress(step));
    await vi.advanceTimersByTimeAsync(1_499);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.content).toContain(`step 10 of 20\n\`${progressBar(40)}\` 40%`);
    emit(progress(10));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(2);
    await live.stop();
  });

  test('a queued job moves to the channel at the cutover even without events, and points the old reply there', async () => {
    const { live, sent, saved, reply, emit } = await harness();
    await live.announce(jobRecord(), reply, 1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent.map((s) => s.how)).toEqual(['interaction', 'channel-post', 'interaction']);
    expect(sent[1]!.content.split('\n')[0]).toBe("<@U42>'s image — continued here because the first reply expired.");
    expect(sent[2]!.content).toContain('Continued in a newer message below');
    expect(saved.at(-1)).toMatchObject({ mode: 'channel', messageId: 'new-1', landed: false });
    emit(progress(3));
    await vi.advanceTimersByTimeAsync(1_500);
    expect(sent.at(-1)).toMatchObject({ how: 'channel-edit', messageId: 'new-1' });
    await live.stop();
  });

  test('the final state is marked landed once posted, and nothing is sent after it', async () => {
    const { live, sent, saved, reply, emit, record } = await harness();
    await live.announce(jobRecord(), reply, 1);
    await vi.advanceTimersByTimeAsync(0);
    record(jobRecord({ status: 'cancelled' }));
    emit({ type: 'cancelled', jobId: JOB_ID, at: 50, by: 'moderator' });
    await vi.advanceTimersByTimeAsync(1_500);
    expect(sent.at(-1)!.content).toContain('Cancelled by a moderator');
    expect(saved.at(-1)).toMatchObject({ landed: true });
    expect(live.tracked).toBe(0);
    emit(progress(1));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(2);
  });
});
