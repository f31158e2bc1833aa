import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../shared/logger.js';

interface Pausable {
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): void | Promise<void>;
}

/**
 * While Postgres cannot be reached this worker takes no new jobs (every claim would fail), and
 * asks Postgres once per probe interval whether it answers again; then it resumes. Jobs it handed
 * back meanwhile wait in the queue at the front of their priority, their attempts unspent.
 */
export class RecordOutagePause {
  private probing: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly worker: Pausable,
    private readonly ping: () => Promise<void>,
    private readonly log: Logger,
    private readonly probeEveryMs = 1_000,
  ) {}

  get paused(): boolean {
    return this.probing !== undefined;
  }

  /** Pauses until Postgres answers; calling it again while paused does nothing. */
  begin(): void {
    if (this.probing || this.stop.signal.aborted) return;
    this.log.warn('Postgres cannot be reached: this worker takes no jobs until it answers');
    this.probing = this.worker
      .pause(true)
      .then(() => this.probeUntilAnswered())
      .catch((error: unknown) => this.log.error({ err: error }, 'could not wait out the Postgres outage'))
      .finally(() => {
        this.probing = undefined;
      });
  }

  private async probeUntilAnswered(): Promise<void> {
    for (;;) {
      try {
        await sleep(this.probeEveryMs, undefined, { signal: this.stop.signal });
      } catch {
        return; // closing: the worker is being stopped anyway
      }
      try {
        await this.ping();
        break;
      } catch {
        // still out of reach
      }
    }
    await this.worker.resume();
    this.log.info('Postgres answers again: this worker takes jobs again');
  }

  /** Ends the probing (shutdown); the worker is closed by its owner. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.probing;
  }
}
