import type { WebClient } from '@slack/web-api';
import { afterEach, expect, test, vi } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import type { JobRecord } from '../../src/core/records.js';
import { TokenSealer } from '../../src/bots/slack/reply/reply-handle.js';
import { slackPort } from '../../src/bots/slack/reply/live-port.js';
import { LiveMessages } from '../../src/core/job-message/live-messages.js';
import { WorkspaceLimiter } from '../../src/bots/slack/reply/workspace-limiter.js';
import { MediaLinks } from '../../src/infra/links/media-links.js';
import { createLogger } from '../../src/shared/logger.js';

const JOB: JobRecord = {
  id: '00000000-0000-4000-8000-000000000001', spaceId: 's', projectId: 'p', projectSlug: 'general', userId: 'u', userExternalId: 'U1',
  platform: 'slack', kind: 'image', status: 'running', progress: 0, stage: 'sampling', promptSent: 'a cat', negativeSent: '', seed: 1,
  width: 512, height: 512, steps: 20, count: 1, priority: 1, attempts: 1, backend: 'builtin', errorCode: null, errorDetails: null, errorAdminText: null,
  errorRef: null, reply: null, request: {}, createdAt: new Date(), startedAt: new Date(), finishedAt: null,
};

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A tracker over an in-memory event bus and a client that records chat.update calls. */
async function harness(minEditIntervalMs: number) {
  const listeners: ((event: JobEvent) => void)[] = [];
  const updates: { at: number; text: string }[] = [];
  const client = {
    chat: {
      update: async (args: { text: string }) => {
        updates.push({ at: Date.now(), text: args.text });
        return { ok: true };
      },
    },
  } as unknown as WebClient;
  const limiter = new WorkspaceLimiter(60_000);
  const tracker = new LiveMessages({
    port: slackPort({
      client,
      functionClient: () => client,
      setReply: async () => undefined,
      media: { put: async () => undefined, read: async () => Buffer.alloc(0), move: async () => undefined, remove: async () => undefined },
      links: new MediaLinks('x'.repeat(64), 'http://test'),
      sealer: new TokenSealer('x'.repeat(64)),
      limiter,
      projectUrl: () => 'http://test/gallery/space/p/general',
      minEditIntervalMs,
      log: createLogger({ level: 'silent', secrets: [] }),
    }),
    records: { getJob: async () => JOB, listAssets: async () => [], queuePosition: async () => 1, repliesToResume: async () => [] },
    events: { publish: async () => undefined, subscribe: async (l) => (listeners.push(l), async () => undefined) },
    log: createLogger({ level: 'silent', secrets: [] }),
  });
  await tracker.start();
  stops.push(async () => {
    await tracker.stop();
    await limiter.stop();
  });
  const emit = (event: JobEvent) => listeners.forEach((l) => l(event));
  await tracker.announce(JOB, { platform: 'slack', teamId: 'T1', channel: 'C1', userId: 'U1', ts: '1.000001' }, 1);
  // The announced state is the first edit; the test counts what follows it.
  await vi.waitFor(() => expect(updates).toHaveLength(1));
  updates.length = 0;
  return { emit, updates };
}

const progress = (step: number): JobEvent => ({ type: 'progress', jobId: JOB.id, at: Date.now(), step, totalSteps: 20, percent: step * 4, stage: 'sampling' });

test('a burst of progress events becomes few edits, spaced by the interval, ending on the latest state', async () => {
  const { emit, updates } = await harness(150);
  for (let step = 1; step <= 20; step++) emit(progress(step));
  await vi.waitFor(() => expect(updates.at(-1)?.text).toContain('step 20 of 20'), { timeout: 2000 });
  expect(updates.length).toBeLessThanOrEqual(2);
  for (let i = 1; i < updates.length; i++) expect(updates[i]!.at - updates[i - 1]!.at).toBeGreaterThanOrEqual(140);
});

test('an event that changes nothing on screen sends nothing', async () => {
  const { emit, updates } = await harness(10);
  emit(progress(5));
  await vi.waitFor(() => expect(updates).toHaveLength(1));
  emit(progress(5));
  emit({ type: 'queued', jobId: 'another-job', at: Date.now(), position: 3 });
  // Give the tracker the chance to (wrongly) send: wait for a later, different state to land.
  emit(progress(6));
  await vi.waitFor(() => expect(updates).toHaveLength(2));
  expect(updates.map((u) => /step (\d+)/.exec(u.text)?.[1])).toEqual(['5', '6']);
});
