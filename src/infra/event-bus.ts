import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { JobEvent } from '../core/events.js';
import type { JobEventBus } from '../core/ports.js';

/**
 * Job events over Redis pub/sub: the worker publishes, every process with a reply to render
 * subscribes. Pub/sub is fire-and-forget by design; the latest state also lives in Postgres, so a
 * subscriber that missed events reads the record (restarts resume from records, not memory).
 */
/** How long a new listener waits for the subscription to be live before the bus reports an outage. */
const SUBSCRIBE_WAIT_MS = 1_500;

/** The bus cannot listen right now (Redis is away): callers answer "unavailable", not hang. */
export class EventsUnavailableError extends Error {
  override readonly name = 'EventsUnavailableError';
  constructor() {
    super('job events are unavailable: Redis does not answer');
  }
}

export class RedisEventBus implements JobEventBus {
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private subscribed: Promise<void> | undefined;
  private readonly listeners = new Set<(event: JobEvent) => void>();

  constructor(
    private readonly publisher: Redis,
    prefix: string,
    private readonly onBadMessage: (error: unknown) => void = () => undefined,
  ) {
    this.channel = `${prefix}:job-events`;
  }

  async publish(event: JobEvent): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  async subscribe(listener: (event: JobEvent) => void): Promise<() => Promise<void>> {
    if (!this.subscriber) {
      const subscriber = this.publisher.duplicate({ connectionName: 'job-events-subscriber' });
      this.subscriber = subscriber;
      // ioredis reconnects and resubscribes by itself; the outage is logged by the main connection.
      subscriber.on('error', () => undefined);
      subscriber.on('message', (channel: string, message: string) => {
        if (channel !== this.channel) return;
        let event: JobEvent;
        try {
          event = JSON.parse(message) as JobEvent;
        } catch (error) {
          this.onBadMessage(error);
          return;
        }
        for (const l of this.listeners) {
          try {
            l(event);
          } catch (error) {
            this.onBadMessage(error);
          }
        }
      });
    }
    await this.untilListening(this.subscriber);
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Resolves once the channel subscription is live; rejects after SUBSCRIBE_WAIT_MS when Redis does
   * not answer (ioredis would otherwise queue the command until it reconnects, however long).
   */
  private async untilListening(subscriber: Redis): Promise<void> {
    // A failed subscribe is forgotten, so the next listener asks again.
    this.subscribed ??= subscriber.subscribe(this.channel).then(
      () => undefined,
      (error: unknown) => {
        this.subscribed = undefined;
        throw error;
      },
    );
    const live = this.subscribed.then(async () => {
      if (subscriber.status !== 'ready') await once(subscriber, 'ready');
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EventsUnavailableError()), SUBSCRIBE_WAIT_MS);
    });
    try {
      await Promise.race([live, timeout]);
    } finally {
      clearTimeout(timer);
      live.catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber) {
      await this.subscriber.quit();
      this.subscriber = undefined;
      this.subscribed = undefined;
    }
  }
}
