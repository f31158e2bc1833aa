import type { JobEvent } from '../../src/core/events.js';
import type { TestStack } from './stack.js';

/** Every job event of the stack from now on, and a wait for the first (seen or coming) that matches. Subscribe before submitting. */
export async function eventLog(stack: TestStack) {
  const events: JobEvent[] = [];
  const waiters: Array<{ match: (e: JobEvent) => boolean; resolve: (e: JobEvent) => void }> = [];
  const unsubscribe = await stack.runtime.events.subscribe((event) => {
    events.push(event);
    for (const waiter of waiters.filter((w) => w.match(event))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  return {
    events,
    unsubscribe,
    next<T extends JobEvent>(match: (e: JobEvent) => e is T, timeoutMs = 20_000): Promise<T> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching job event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e as T);
          },
        });
      });
    },
  };
}

export const previewOf = (jobId: string) => (e: JobEvent): e is Extract<JobEvent, { type: 'preview' }> => e.type === 'preview' && e.jobId === jobId;
