import { describe, expect, test } from 'vitest';
import { MAX_QUEUE_PRIORITY, fairPriority } from '../../src/core/policy/fair-priority.js';

describe('fairPriority', () => {
  test("a user's Nth pending job gets priority N", () => {
    expect(fairPriority(0)).toBe(1);
    expect(fairPriority(1)).toBe(2);
    expect(fairPriority(99)).toBe(100);
  });

  test("is capped at BullMQ's maximum and defensive about bad counts", () => {
    expect(MAX_QUEUE_PRIORITY).toBe(2_097_152);
    expect(fairPriority(10_000_000)).toBe(MAX_QUEUE_PRIORITY);
    expect(fairPriority(Number.POSITIVE_INFINITY)).toBe(1);
    expect(fairPriority(-3)).toBe(1);
    expect(fairPriority(Number.NaN)).toBe(1);
  });
});

/** A one-slot queue that behaves like BullMQ: lowest priority number first, FIFO within a priority. */
class PriorityQueueModel {
  private sequence = 0;
  private readonly waiting: { user: string; priority: number; sequence: number }[] = [];
  private readonly pendingByUser = new Map<string, number>();

  add(user: string): void {
    const pendingBefore = this.pendingByUser.get(user) ?? 0;
    this.pendingByUser.set(user, pendingBefore + 1);
    this.waiting.push({ user, priority: fairPriority(pendingBefore), sequence: this.sequence++ });
  }

  /** Starts (and finishes) the next job; returns its user. */
  runNext(): string | undefined {
    this.waiting.sort((a, b) => a.priority - b.priority || a.sequence - b.sequence);
    const next = this.waiting.shift();
    if (next !== undefined) this.pendingByUser.set(next.user, (this.pendingByUser.get(next.user) ?? 1) - 1);
    return next?.user;
  }
}

describe('fairness with one backend', () => {
  const others = Array.from({ length: 10 }, (_, i) => `other-${i}`);

  function startSlots(queue: PriorityQueueModel): Map<string, number> {
    const startedAt = new Map<string, number>();
    for (let slot = 1; ; slot += 1) {
      const user = queue.runNext();
      if (user === undefined) return startedAt;
      if (!startedAt.has(user)) startedAt.set(user, slot);
    }
  }

  test('after one user queues 100 jobs, each of ten others starts within 11 slots', () => {
    const queue = new PriorityQueueModel();
    for (let i = 0; i < 100; i += 1) queue.add('heavy');
    for (const user of others) queue.add(user);
    const startedAt = startSlots(queue);
    for (const user of others) expect(startedAt.get(user)).toBeLessThanOrEqual(11);
  });

  test('the same holds when the heavy user\'s first job is already running when the others arrive', () => {
    const queue = new PriorityQueueModel();
    for (let i = 0; i < 100; i += 1) queue.add('heavy');
    expect(queue.runNext()).toBe('heavy');
    for (const user of others) queue.add(user);
    const startedAt = startSlots(queue);
    for (const user of others) expect(startedAt.get(user)).toBeLessThanOrEqual(10);
  });

  test('plain FIFO (one priority for all) would make them wait behind all 100', () => {
    const waiting = [...Array.from({ length: 100 }, () => 'heavy'), ...others];
    expect(waiting.indexOf('other-0') + 1).toBe(101);
  });
});
