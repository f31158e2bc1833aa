import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { ALICE, BOB, isFinal, isProgress, startHarness, type Harness } from './discord-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { BUILTIN_STEP_DELAY_MS: '60' } });
});
afterAll(async () => {
  await h?.close();
});

/** Resolves with the job's next event of this type, as the worker publishes it. */
async function nextEvent(jobId: string, type: JobEvent['type']): Promise<JobEvent> {
  let stop: (() => Promise<void>) | undefined;
  const event = await new Promise<JobEvent>((resolve) => {
    void h.stack.runtime.events.subscribe((e) => {
      if (e.jobId === jobId && e.type === type) resolve(e);
    }).then((unsubscribe) => (stop = unsubscribe));
  });
  await stop?.();
  return event;
}

describe('the Discord process restarts mid-job', () => {
  test('a new process picks the message up from the records and keeps editing it to the final post', async () => {
    const handle = h.generate(ALICE, { prompt: 'a paper crane on a desk' });
    const progress = await handle.original(isProgress);
    const jobId = h.jobIdOf(progress);
    await h.stopBot();
    const editsWhileDown = handle.record.edits.length;
    await h.startBot();
    const final = await handle.original(isFinal, 20_000);
    expect(final.id).toBe(progress.id);
    expect(handle.record.edits.length).toBeGreaterThan(editsWhileDown);
    expect(final.attachments).toHaveLength(1);
    expect(await h.landedReply(jobId)).toMatchObject({ mode: 'interaction' });
  });

  test('a job that finished while no Discord process ran still gets its final post', async () => {
    const handle = h.generate(BOB, { prompt: 'a bowl of ramen' });
    const queued = await handle.original((m) => m.content.includes('Queued') || isProgress(m));
    const jobId = h.jobIdOf(queued);
    const completed = nextEvent(jobId, 'completed');
    await h.stopBot();
    await completed;
    expect(((await h.stack.runtime.records.getJob(jobId))?.reply as { landed: boolean }).landed).toBe(false);
    await h.startBot();
    const final = await handle.original(isFinal, 10_000);
    expect(final.attachments).toHaveLength(1);
    await h.landedReply(jobId);
  });

  test('a 429 and a 502 on edits are retried by discord.js and never reach the user', async () => {
    const route = 'PATCH /webhooks/:app/:token/messages/:message';
    h.fake.rateLimitNext(route, 0.2);
    h.fake.failNext(route, 502, 1);
    const handle = h.generate(ALICE, { prompt: 'a rainy street at night' });
    const final = await handle.original(isFinal, 20_000);
    expect(h.fake.countRequests(route, 429)).toBeGreaterThanOrEqual(1);
    expect(h.fake.countRequests(route, 502)).toBe(1);
    expect(final.attachments).toHaveLength(1);
    expect(handle.record.followUps).toEqual([]);
    expect(JSON.stringify(handle.record.edits.map((m) => m.content))).not.toMatch(/429|502|rate limit/i);
  });
});
