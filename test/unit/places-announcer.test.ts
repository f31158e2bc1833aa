import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { createLogger } from '../../src/shared/logger.js';
import { PlacesAnnouncer } from '../../src/worker/places-announcer.js';

const log = createLogger({ level: 'silent', secrets: [] });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A queue whose places the test sets, counting how often they are read. */
function fakeQueue() {
  let places: Array<{ id: string; position: number }> = [];
  const state = { reads: 0 };
  return {
    state,
    set(ids: string[]) {
      places = ids.map((id, i) => ({ id, position: i + 1 }));
    },
    async queuedPlaces(limit: number) {
      state.reads++;
      return places.slice(0, limit);
    },
  };
}

function collect() {
  const events: JobEvent[] = [];
  return { events, publish: async (event: JobEvent) => void events.push(event) };
}

test('the first start announces at once; starts within the interval fold into one trailing refresh with the latest places', async () => {
  const queue = fakeQueue();
  const { events, publish } = collect();
  const announcer = new PlacesAnnouncer(queue, publish, log, 1_000);
  queue.set(['b', 'c', 'd']);
  announcer.jobStarted();
  await vi.advanceTimersByTimeAsync(0);
  expect(queue.state.reads).toBe(1);
  expect(events.map((e) => e.type === 'queued' && [e.jobId, e.position])).toEqual([['b', 1], ['c', 2], ['d', 3]]);

  events.length = 0;
  queue.set(['c', 'd']);
  announcer.jobStarted();
  queue.set(['d']);
  announcer.jobStarted();
  announcer.jobStarted();
  await vi.advanceTimersByTimeAsync(999);
  expect(queue.state.reads).toBe(1);
  expect(events).toEqual([]);
  await vi.advanceTimersByTimeAsync(1);
  expect(queue.state.reads).toBe(2);
  expect(events.map((e) => e.type === 'queued' && [e.jobId, e.position])).toEqual([['d', 1]]);
  await announcer.close();
});

test('announces at most the first 25 places, and a failed read is logged, not thrown', async () => {
  const queue = fakeQueue();
  const { events, publish } = collect();
  const announcer = new PlacesAnnouncer(queue, publish, log, 1_000);
  queue.set(Array.from({ length: 40 }, (_, i) => `job-${i}`));
  announcer.jobStarted();
  await vi.advanceTimersByTimeAsync(0);
  expect(events).toHaveLength(25);

  const failing = new PlacesAnnouncer({ queuedPlaces: () => Promise.reject(new Error('database down')) }, publish, log, 1_000);
  failing.jobStarted();
  await expect(failing.close()).resolves.toBeUndefined();
  await announcer.close();
});

test('after close, no refresh runs, even one already scheduled', async () => {
  const queue = fakeQueue();
  const { publish } = collect();
  const announcer = new PlacesAnnouncer(queue, publish, log, 1_000);
  queue.set(['a']);
  announcer.jobStarted();
  announcer.jobStarted();
  await announcer.close();
  await vi.advanceTimersByTimeAsync(5_000);
  expect(queue.state.reads).toBe(1);
  announcer.jobStarted();
  await vi.advanceTimersByTimeAsync(5_000);
  expect(queue.state.reads).toBe(1);
});

test('places carry their estimates, and while jobs wait the estimates are refreshed even when no job starts', async () => {
  let reads = 0;
  const eta = (startsAt: number) => ({ startsAt, finishesAt: startsAt + 1_000, approximate: false });
  const source = {
    async queuedPlaces() {
      reads++;
      return reads < 3 ? [{ id: 'b', position: 1, eta: eta(reads * 10_000) }] : [];
    },
  };
  const { events, publish } = collect();
  const announcer = new PlacesAnnouncer(source, publish, log, 1_000, 15_000);
  announcer.jobStarted();
  await vi.advanceTimersByTimeAsync(0);
  expect(events).toEqual([{ type: 'queued', jobId: 'b', at: expect.any(Number), position: 1, eta: eta(10_000) }]);
  await vi.advanceTimersByTimeAsync(14_999);
  expect(reads).toBe(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(reads).toBe(2);
  expect(events.at(-1)).toMatchObject({ jobId: 'b', eta: eta(20_000) });
  // An empty line stops the refreshes.
  await vi.advanceTimersByTimeAsync(15_000);
  expect(reads).toBe(3);
  await vi.advanceTimersByTimeAsync(60_000);
  expect(reads).toBe(3);
  await announcer.close();
});
