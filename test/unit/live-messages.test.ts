import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { LiveMessages } from '../../src/core/job-message/live-messages.js';
import type { JobMessage } from '../../src/core/job-message/model.js';
import type { LivePort, WriteFailure } from '../../src/core/job-message/port.js';
import type { JobRecord } from '../../src/core/records.js';
import { assetRecords, completedRecord, JOB_ID, jobRecord } from '../support/job-fixtures.js';

interface Handle {
  at: string;
  messageId?: string;
  expiresAt?: number;
  landed?: boolean;
}
type Write = { how: 'post' | 'edit' | 'finish' | 'retire'; messageId: string | undefined; line: string };

class Refusal extends Error {
  constructor(readonly kind: WriteFailure) {
    super(kind);
  }
}

/** A platform whose rendered message is one line of text, recording every write. */
function harness(options: { record?: JobRecord; stored?: Handle[] } = {}) {
  const writes: Write[] = [];
  const saved: Handle[] = [];
  const failNext: WriteFailure[] = [];
  let record = options.record ?? jobRecord();
  let posts = 0;
  const line = (m: JobMessage, h: Handle) => `${h.at}:${m.stage}${m.position ? ` #${m.position}` : ''}${m.step ? ` ${m.step}/${m.totalSteps}` : ''}${m.outputs.length ? ` files=${m.outputs.map((o) => o.original.storageKey ?? '?').join(',')}` : ''}`;
  const port: LivePort<Handle, string> = {
    platform: 'test',
    intervalMs: 1_000,
    render: line,
    readHandle: (raw) => raw as Handle,
    hasMessage: (h) => h.messageId !== undefined,
    post: async (h, rendered) => {
      writes.push({ how: 'post', messageId: h.messageId, line: rendered });
      return { ...h, messageId: `m-${++posts}` };
    },
    edit: async (h, rendered) => {
      const failure = failNext.shift();
      if (failure) throw new Refusal(failure);
      writes.push({ how: 'edit', messageId: h.messageId, line: rendered });
    },
    finish: async (h, m) => void writes.push({ how: 'finish', messageId: h.messageId, line: m.stage }),
    expiresAt: (h) => h.expiresAt,
    successor: (h) => ({ at: 'channel', landed: h.landed }),
    retire: async (old) => void writes.push({ how: 'retire', messageId: old.messageId, line: 'moved' }),
    classify: (error) => (error instanceof Refusal ? error.kind : 'retry'),
    save: async (_id, h) => void saved.push(h),
  };
  const listeners: Array<(e: JobEvent) => void> = [];
  const live = new LiveMessages({
    port,
    records: {
      getJob: async () => record,
      listAssets: async () => (record.status === 'completed' ? assetRecords() : []),
      queuePosition: async () => 2,
      repliesToResume: async () => (options.stored ?? []).map((reply) => ({ jobId: JOB_ID, reply })),
    },
    events: { publish: async () => undefined, subscribe: async (l) => (listeners.push(l), async () => undefined) },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    recheckMs: 10_000,
  });
  const emit = (event: JobEvent) => listeners.forEach((l) => l(event));
  return { live, writes, saved, failNext, emit, setRecord: (r: JobRecord) => void (record = r) };
}

const progress = (step: number): JobEvent => ({ type: 'progress', jobId: JOB_ID, at: 100 + step, step, totalSteps: 20, percent: step * 4, stage: 'sampling' });
const lines = (writes: Write[]) => writes.map((w) => `${w.how} ${w.line}`);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the live-message driver', () => {
  test('at most one write per interval, the latest state wins, an identical render is not sent', async () => {
    const h = harness();
    await h.live.start();
    await h.live.announce(jobRecord(), { at: 'reply', messageId: 'm-0' }, 3);
    await vi.advanceTimersByTimeAsync(0);
    h.emit({ type: 'started', jobId: JOB_ID, at: 100, attempt: 1, backend: 'builtin' });
    for (let step = 1; step <= 10; step++) h.emit(progress(step));
    await vi.advanceTimersByTimeAsync(999);
    expect(lines(h.writes)).toEqual(['edit reply:queued #3']);
    await vi.advanceTimersByTimeAsync(1);
    expect(lines(h.writes)).toEqual(['edit reply:queued #3', 'edit reply:running 10/20']);
    h.emit({ type: 'queued', jobId: JOB_ID, at: 200, position: 1 });
    h.emit(progress(10));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.writes).toHaveLength(2);
    await h.live.stop();
  });

  test('a handle without a message is posted first and saved, then followed (no second post)', async () => {
    const h = harness();
    await h.live.start();
    const handle = await h.live.announce(jobRecord(), { at: 'chan' }, 1);
    expect(handle.messageId).toBe('m-1');
    expect(h.saved[0]).toMatchObject({ messageId: 'm-1' });
    h.emit(progress(1));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lines(h.writes)).toEqual(['post chan:queued #1', 'edit chan:running 1/20']);
    await h.live.stop();
  });

  test('events that arrive while the first message is being posted are applied once it is up, not dropped', async () => {
    const h = harness();
    await h.live.start();
    // The worker starts the job during the post (the platform answers slowly).
    const announced = h.live.announce(jobRecord(), { at: 'chan' }, 1);
    h.emit({ type: 'started', jobId: JOB_ID, at: 100, attempt: 1, backend: 'builtin' });
    h.emit(progress(2));
    await announced;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lines(h.writes)).toEqual(['post chan:queued #1', 'edit chan:running 2/20']);
    await h.live.stop();
  });

  test('the final state is confirmed against the record, delivered despite a failed write, finished and landed', async () => {
    const h = harness();
    await h.live.start();
    await h.live.announce(jobRecord(), { at: 'reply', messageId: 'm-0' }, 1);
    await vi.advanceTimersByTimeAsync(0);
    h.setRecord(completedRecord());
    h.failNext.push('retry');
    h.emit({ type: 'completed', jobId: JOB_ID, at: 500, assets: [], durationMs: 1, seed: 7, backend: 'builtin' });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(lines(h.writes)).toEqual(['edit reply:queued #1', 'edit reply:completed files=p/2026-01-01/j-0.png', 'finish completed']);
    expect(h.saved.at(-1)).toMatchObject({ landed: true });
    expect(h.live.tracked).toBe(0);
    h.emit(progress(3));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(h.writes).toHaveLength(3);
  });

  test('hand-over: a handle that expires moves to its successor even with no event, and the old one points there', async () => {
    const h = harness();
    await h.live.start();
    await h.live.announce(jobRecord(), { at: 'reply', messageId: 'm-0', expiresAt: Date.now() + 10_000 }, 1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines(h.writes)).toEqual(['edit reply:queued #1', 'post channel:queued #1', 'retire moved']);
    expect(h.saved.at(-1)).toMatchObject({ at: 'channel', messageId: 'm-1' });
    h.emit(progress(2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.writes.at(-1)).toMatchObject({ how: 'edit', messageId: 'm-1', line: 'channel:running 2/20' });
    await h.live.stop();
  });

  test('hand-over: a write refused because the handle died continues in the successor at once', async () => {
    const h = harness();
    await h.live.start();
    await h.live.announce(jobRecord(), { at: 'reply', messageId: 'm-0' }, 1);
    await vi.advanceTimersByTimeAsync(0);
    h.failNext.push('expired');
    h.emit(progress(4));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lines(h.writes).slice(1)).toEqual(['post channel:running 4/20', 'retire moved']);
    await h.live.stop();
  });

  test('a deleted message stops the updates and is marked landed', async () => {
    const h = harness();
    await h.live.start();
    h.failNext.push('gone');
    await h.live.announce(jobRecord(), { at: 'reply', messageId: 'm-0' }, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.saved.at(-1)).toMatchObject({ landed: true });
    expect(h.live.tracked).toBe(0);
  });

  test('resume: an unfinished reply continues from the record, a landed one is left alone, a not landed final lands', async () => {
    const running = harness({ record: jobRecord({ status: 'running', stage: 'sampling 9/20', progress: 36, attempts: 1 }), stored: [{ at: 'r', messageId: 'm-9' }] });
    await running.live.start();
    expect(await running.live.resume()).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(lines(running.writes)).toEqual(['edit r:running 9/20']);
    await running.live.stop();

    const landed = harness({ record: completedRecord(), stored: [{ at: 'r', messageId: 'm-9', landed: true }] });
    expect(await landed.live.resume()).toBe(0);

    const unlanded = harness({ record: completedRecord(), stored: [{ at: 'r', messageId: 'm-9' }] });
    expect(await unlanded.live.resume()).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(lines(unlanded.writes)).toEqual(['edit r:completed files=p/2026-01-01/j-0.png', 'finish completed']);
    expect(unlanded.saved.at(-1)).toMatchObject({ landed: true });
  });

  test('a lost final event: the record re-check ends the message anyway', async () => {
    const h = harness();
    await h.live.start();
    await h.live.announce(jobRecord(), { at: 'reply', messageId: 'm-0' }, 1);
    await vi.advanceTimersByTimeAsync(0);
    h.emit(progress(5));
    await vi.advanceTimersByTimeAsync(1_000);
    // The job finishes; its `completed` event never arrives (Redis restarted in between).
    h.setRecord(completedRecord());
    expect(h.writes.some((w) => w.line.startsWith('reply:completed'))).toBe(false);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(lines(h.writes).slice(-2)).toEqual(['edit reply:completed files=p/2026-01-01/j-0.png', 'finish completed']);
    expect(h.saved.at(-1)).toMatchObject({ landed: true });
    await h.live.stop();
  });
});
