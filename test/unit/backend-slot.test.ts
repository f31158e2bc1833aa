import { afterEach, expect, test, vi } from 'vitest';
import { JobCancelledError } from '../../src/core/errors.js';
import { BackendSlot, BoxWithdrawnError, type RouteWorker } from '../../src/worker/farm/backend-slot.js';

/** A route worker as the slot sees it: paused or running, with the concurrency the slot gave it. */
class SeenWorker implements RouteWorker {
  paused = true;
  concurrency = 1;
  readonly cancelled: Array<[string, string | undefined]> = [];
  async pause(): Promise<void> {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  isPaused(): boolean {
    return this.paused;
  }
  cancelJob(jobId: string, reason?: string): boolean {
    this.cancelled.push([jobId, reason]);
    return true;
  }
}

let slot: BackendSlot | undefined;
afterEach(() => slot?.dispose());

function slotWith(capacity = 1): { slot: BackendSlot; worker: SeenWorker } {
  const worker = new SeenWorker();
  slot = new BackendSlot({ name: 'gpu', kind: 'comfyui', worker: 'w1' }, capacity, () => undefined);
  slot.addWorker('image.default', worker);
  slot.setCapabilities(['image.default'], [], []);
  return { slot, worker };
}

test('one job is let in ahead of the box; a job off the box lets the next one in while it settles', async () => {
  const { slot, worker } = slotWith();
  expect([worker.paused, worker.concurrency]).toEqual([false, 1]);
  expect(slot.enter('a', 'image.default')).toBe(true);
  // The job on the box has just begun: the line's order is not decided further yet.
  expect([worker.paused, slot.state]).toEqual([true, 'busy']);
  expect(slot.enter('b', 'image.default')).toBe(false);
  // Nearly done: one place opens behind it.
  slot.holdOf('a').nearlyDone();
  expect([worker.paused, worker.concurrency]).toEqual([false, 2]);
  expect(slot.enter('b', 'image.default')).toBe(true);
  // b is ready, not on the box: the status still names a, and nothing more comes in.
  expect([worker.paused, slot.state, slot.status(0, 1).jobId]).toEqual([true, 'busy', 'a']);
  expect(slot.enter('c', 'image.default')).toBe(false);
  let bOnBox = false;
  const bAcquired = slot.holdOf('b').acquire().then(() => (bOnBox = true));
  await Promise.resolve();
  expect(bOnBox).toBe(false);

  slot.holdOf('a').release();
  await bAcquired;
  // b has the box the moment a lets go; a settles; a place opens again once b is nearly done.
  expect([bOnBox, slot.status(0, 1).jobId, worker.paused]).toEqual([true, 'b', true]);
  slot.holdOf('b').nearlyDone();
  expect([worker.paused, worker.concurrency]).toEqual([false, 3]);
  expect(slot.enter('c', 'image.default')).toBe(true);
  // Three in process (settling, on the box, ready): no fourth until one settles.
  expect(worker.paused).toBe(true);
  expect(slot.enter('d', 'image.default')).toBe(false);
  slot.leave('a');
  expect([worker.paused, slot.jobCount]).toEqual([true, 2]);
  slot.holdOf('b').release();
  slot.leave('b');
  slot.leave('c');
  expect([worker.paused, worker.concurrency, slot.jobCount]).toEqual([false, 1, 0]);
});

test('a lane freed while the ready job still prepares is kept for it: a re-render asking meanwhile queues behind', async () => {
  const { slot } = slotWith();
  slot.enter('a', 'image.default');
  slot.holdOf('a').nearlyDone();
  slot.enter('b', 'image.default');
  slot.holdOf('a').release();
  // b has not asked for the lane yet; a's quality check asks for a re-render and must not take it.
  expect(slot.state).toBe('idle');
  const order: string[] = [];
  const again = slot.holdOf('a').acquire().then(() => order.push('a'));
  await Promise.resolve();
  expect(order).toEqual([]);
  await slot.holdOf('b').acquire().then(() => order.push('b'));
  slot.holdOf('b').release();
  await again;
  expect(order).toEqual(['b', 'a']);
});

test('a box that stops taking work withdraws its ready jobs; the job on it goes on; a cancel leaves the line', async () => {
  const { slot, worker } = slotWith();
  slot.enter('a', 'image.default');
  slot.holdOf('a').nearlyDone();
  slot.enter('b', 'image.default');
  const waiting = slot.holdOf('b').acquire();
  slot.setDown(true);
  await expect(waiting).rejects.toBeInstanceOf(BoxWithdrawnError);
  slot.abortRunning('backend_down');
  // The ready job's preparation is stopped as withdrawn (unspent), the job on the box as cut short.
  expect(worker.cancelled).toEqual([['b', 'box_withdrawn'], ['a', 'backend_down']]);
  slot.leave('a');
  slot.leave('b');

  // Drained: a ready job that has not asked yet is refused when it does.
  slot.setDown(false);
  slot.enter('c', 'image.default');
  slot.holdOf('c').nearlyDone();
  slot.enter('d', 'image.default');
  slot.setDrained(true);
  await expect(slot.holdOf('d').acquire()).rejects.toBeInstanceOf(BoxWithdrawnError);
  expect(slot.state).toBe('draining');
  slot.leave('d');
  slot.setDrained(false);

  // A user's cancel while waiting: the acquire rejects and the lane goes to the next in line.
  expect(slot.enter('e', 'image.default')).toBe(true);
  const stop = new AbortController();
  const cancelled = slot.holdOf('e').acquire(stop.signal);
  stop.abort('cancelled');
  await expect(cancelled).rejects.toBeInstanceOf(JobCancelledError);
  slot.leave('e');
  slot.holdOf('c').release();
  slot.leave('c');
  expect([slot.state, slot.jobCount, worker.paused]).toEqual(['idle', 0, false]);
});

test('a re-render waits for the lane behind the job on the box; down aborts only the job on the box', async () => {
  const { slot, worker } = slotWith();
  slot.enter('a', 'image.default');
  slot.holdOf('a').release();
  slot.enter('b', 'image.default');
  let aBack = false;
  const again = slot.holdOf('a').acquire().then(() => (aBack = true));
  await Promise.resolve();
  // The waiting re-render takes the ready place: nothing new comes in.
  expect([aBack, worker.paused]).toEqual([false, true]);
  slot.abortRunning('backend_down');
  expect(worker.cancelled).toEqual([['b', 'backend_down']]);
  slot.leave('b');
  await again;
  expect([aBack, slot.state, worker.paused]).toEqual([true, 'busy', true]);
  expect(slot.status(0, 1).jobId).toBe('a');
});

test('a busy backend cools down alone; a retired one takes nothing more and shows draining until its job ends', () => {
  vi.useFakeTimers();
  const { slot, worker } = slotWith();
  slot.coolDown(60_000);
  // Shown as cooling, not idle: it takes nothing until its Retry-After has passed.
  expect([slot.isCooling, worker.paused, slot.state]).toEqual([true, true, 'cooling']);
  expect(slot.enter('a', 'image.default')).toBe(false);
  vi.advanceTimersByTime(60_000);
  expect([slot.isCooling, worker.paused, slot.state]).toEqual([false, false, 'idle']);
  vi.useRealTimers();
  slot.coolDown(60_000);

  const other = slotWith();
  other.slot.enter('x', 'image.default');
  other.slot.retire();
  expect(other.slot.state).toBe('draining');
  other.slot.leave('x');
  expect([other.slot.state, other.worker.paused, other.slot.enter('y', 'image.default')]).toEqual(['drained', true, false]);
  slot.dispose();
});
