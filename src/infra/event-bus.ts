import type { Redis } from 'ioredis';
import type { JobEvent } from '../core/events.js';
import type { JobEventBus } from '../core/ports.js';

/**
 * Job events over Redis pub/sub: the worker publishes, every process with a reply to render
 * subscribes. Pub/sub is fire-and-forget by design; the latest state also lives in Postgres, so a
 * subscriber that missed events reads the record (restarts resume from records, not memory).
 */
export class RedisEventBus implements JobEventBus {
  private readonly channel: string;
  private subscriber: Redis | undefined;
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
      await subscriber.subscribe(this.channel);
    }
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber) {
      await this.subscriber.quit();
      this.subscriber = undefined;
    }
  }
}
