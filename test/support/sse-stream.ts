import type { SseEvent } from './stack.js';

export interface SseStream {
  events: SseEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves with the first event (already seen or still to come) that matches. */
  next(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
}

/** Follows a Server-Sent Events response as it arrives (readSse waits for its end). */
export function followSse(response: Response): SseStream {
  const events: SseEvent[] = [];
  let finished = false;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const ended = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
      notify();
    }
  })().finally(() => {
    finished = true;
    notify();
  });
  // A stream cut by a killed server is a finding for whoever awaits `ended`, not an unhandled error.
  ended.catch(() => undefined);
  return {
    events,
    ended,
    next(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event on the stream; saw ${events.map((e) => e.event).join(', ')}`));
        }, timeoutMs);
        const check = () => {
          const found = events.find(match);
          if (found || finished) {
            clearTimeout(timer);
            waiters.delete(check);
            if (found) resolve(found);
            else reject(new Error(`the stream ended without a matching event; saw ${events.map((e) => e.event).join(', ')}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}
