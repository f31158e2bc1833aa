import type { JobEvent } from '../../src/core/events.js';
import type { TestStack } from './stack.js';

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Waits for jobs to end by their events, checking the record too (an end announced before the
 * wait began is not missed). Subscribe before submitting.
 */
export async function jobEnds(stack: TestStack) {
  const waiters = new Map<string, Array<() => void>>();
  const ended = new Set<string>();
  const events: JobEvent[] = [];
  await stack.runtime.events.subscribe((event) => {
    events.push(event);
    if (event.type === 'completed' || event.type === 'cancelled' || (event.type === 'failed' && !event.willRetry)) {
      ended.add(event.jobId);
      for (const wake of waiters.get(event.jobId) ?? []) wake();
      waiters.delete(event.jobId);
    }
  });
  return {
    events,
    async ended(jobId: string, timeoutMs = 20_000): Promise<void> {
      const record = await stack.runtime.records.getJob(jobId);
      if (ended.has(jobId) || (record && ENDED.has(record.status))) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`job ${jobId} did not end within ${timeoutMs} ms`)), timeoutMs);
        waiters.set(jobId, [...(waiters.get(jobId) ?? []), () => {
          clearTimeout(timer);
          resolve();
        }]);
      });
    },
  };
}
