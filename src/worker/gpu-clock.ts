import { performance } from 'node:perf_hooks';

/**
 * Measures one attempt's GPU time: from the backend's 'started' to its 'stopped' (or to the end of
 * generate() when it never says stopped). A backend that never says started did no GPU work for
 * us (a prompt refused before it ran, or one that waited in the server's queue and was cancelled).
 * An attempt may render more than once (a quality re-render): each render's span adds up.
 * Monotonic clock, so a wall-clock step cannot make it negative.
 */
export class GpuClock {
  private everStarted = false;
  private runningSince: number | undefined;
  private doneMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** True the first time the backend says it started (in this attempt, across its renders). */
  mark(phase: 'started' | 'stopped'): boolean {
    if (phase === 'stopped') {
      this.stop();
      return false;
    }
    if (this.runningSince !== undefined) return false;
    this.runningSince = this.now();
    const first = !this.everStarted;
    this.everStarted = true;
    return first;
  }

  /** generate() settled: this render's work is over whatever the backend said. */
  stop(): void {
    if (this.runningSince === undefined) return;
    this.doneMs += Math.max(0, this.now() - this.runningSince);
    this.runningSince = undefined;
  }

  get ms(): number {
    return this.doneMs + (this.runningSince === undefined ? 0 : Math.max(0, this.now() - this.runningSince));
  }
}
