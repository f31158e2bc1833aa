import { afterEach, expect, test } from 'vitest';
import { BackendSlot, type RouteWorker } from '../../src/worker/farm/backend-slot.js';

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

test('a job off the box lets the next one in while it settles; one settling per lane at most', () => {
  const { slot, worker } = slotWith();
  expect([worker.paused, worker.concurrency]).toEqual([false, 1]);
  expect(slot.enter('a', 'image.default')).toBe(true);
  expect([worker.paused, slot.state]).toEqual([true, 'busy']);
  expect(slot.enter('b', 'image.default')).toBe(false);

  slot.holdOf('a').release();
  // The box is free: the worker runs again and may hold the settling job plus one more.
  expect([worker.paused, worker.concurrency, slot.state]).toEqual([false, 2, 'idle']);
  expect(slot.enter('b', 'image.default')).toBe(true);
  slot.holdOf('b').release();
  // Two in process (one lane, one settling each): no third until one settles.
  expect(worker.paused).toBe(true);
  expect(slot.enter('c', 'image.default')).toBe(false);
  slot.leave('a');
  expect([worker.paused, worker.concurrency]).toEqual([false, 2]);
  slot.leave('b');
  expect([worker.paused, worker.concurrency, slot.jobCount]).toEqual([false, 1, 0]);
});

test('a re-render waits for the lane and keeps new jobs out meanwhile; down aborts only the job on the box', async () => {
  const { slot, worker } = slotWith();
  slot.enter('a', 'image.default');
  slot.holdOf('a').release();
  slot.enter('b', 'image.default');
  let aBack = false;
  const again = slot.holdOf('a').acquire().then(() => (aBack = true));
  await Promise.resolve();
  expect(aBack).toBe(false);
  slot.abortRunning('backend_down');
  expect(worker.cancelled).toEqual([['b', 'backend_down']]);
  slot.leave('b');
  await again;
  expect([aBack, slot.state, worker.paused]).toEqual([true, 'busy', true]);
  expect(slot.status(0, 1).jobId).toBe('a');
});

test('a busy backend cools down alone; a retired one takes nothing more and shows draining until its job ends', () => {
  const { slot, worker } = slotWith();
  slot.coolDown(60_000);
  expect([slot.isCooling, worker.paused]).toEqual([true, true]);
  expect(slot.enter('a', 'image.default')).toBe(false);

  const other = slotWith();
  other.slot.enter('x', 'image.default');
  other.slot.retire();
  expect(other.slot.state).toBe('draining');
  other.slot.leave('x');
  expect([other.slot.state, other.worker.paused, other.slot.enter('y', 'image.default')]).toEqual(['drained', true, false]);
  slot.dispose();
});
