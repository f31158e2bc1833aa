import { performance } from 'node:perf_hooks';

/**
 * Measures one attempt's GPU time: from the backend's 'started' to its 'stopped' (or to the end of
 * generate() when it never says stopped). A backend that never says started did no GPU work for
 * us (a prompt refused before it ran, or one that waited in the server's queue and was cancelled).
 * Monotonic clock, so a wall-clock step cannot make it negative.
 */
export class GpuClock {
  private startedAt: number | undefined;
  private stoppedAt: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** True the first time the backend says it started. */
  mark(phase: 'started' | 'stopped'): boolean {
    if (phase === 'started') {
      if (this.startedAt !== undefined) return false;
      this.startedAt = this.now();
      return true;
    }
    this.stop();
    return false;
  }

  /** generate() settled: the work is over whatever the backend said. */
  stop(): void {
    if (this.startedAt !== undefined && this.stoppedAt === undefined) this.stoppedAt = this.now();
  }

  get ms(): number {
    if (this.startedAt === undefined) return 0;
    return Math.max(0, (this.stoppedAt ?? this.now()) - this.startedAt);
  }
}
