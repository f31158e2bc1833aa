import { setTimeout as sleep } from 'node:timers/promises';
import { BACKEND_DOWN_REASON } from '../../core/generator.js';
import type { Logger } from '../../shared/logger.js';
import type { BackendSlot } from './backend-slot.js';

export interface HealthSettings {
  /** Probe interval, idle or busy. */
  probeMs: number;
  /** Failed probes in a row that make the backend down. */
  downAfter: number;
}

/**
 * Asks one backend every probeMs whether it answers (a cheap GET with a short timeout). After
 * `downAfter` failures in a row it is down: out of rotation, and the job running there is stopped
 * with BACKEND_DOWN_REASON (the attempt counts; the job retries on another backend). When it
 * answers again its capabilities are read afresh (it may have restarted with other nodes or
 * models) before it rejoins.
 */
export class BackendHealth {
  private failures = 0;
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly slot: BackendSlot,
    private readonly ping: (signal: AbortSignal) => Promise<void>,
    private readonly recheck: () => Promise<boolean>,
    /** Run after every probe (status writes, drain flags). */
    private readonly afterTick: () => Promise<void>,
    private readonly settings: HealthSettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      await this.tick();
      try {
        await sleep(this.settings.probeMs, undefined, { signal: this.stop.signal });
      } catch {
        return;
      }
    }
  }

  /** One probe; never throws. */
  async tick(): Promise<void> {
    const timeout = AbortSignal.timeout(Math.max(250, Math.min(this.settings.probeMs, 2_000)));
    try {
      await this.ping(AbortSignal.any([timeout, this.stop.signal]));
      this.failures = 0;
      if (this.slot.isDown && (await this.recheck())) {
        this.slot.setDown(false);
        this.log.info({ backend: this.slot.name }, 'backend answers again: back in rotation');
      }
    } catch (error) {
      if (this.stop.signal.aborted) return;
      this.failures++;
      if (this.failures >= this.settings.downAfter && !this.slot.isDown) {
        this.log.warn({ backend: this.slot.name, failures: this.failures, err: error }, 'backend stopped answering: out of rotation, its job goes back to the queue');
        this.slot.setDown(true);
        this.slot.abortRunning(BACKEND_DOWN_REASON);
      }
    }
    await this.afterTick().catch((error: unknown) => this.log.warn({ err: error, backend: this.slot.name }, 'could not write the backend status'));
  }
}
