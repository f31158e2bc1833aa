import Bottleneck from 'bottleneck';

/**
 * Slack rate-limits chat.update per workspace at Tier 3 ("50+ per minute"). We spend at most
 * 50 a minute per workspace, spaced evenly (minTime 1.2 s) rather than in bursts, so progress of
 * many jobs in one workspace shares the budget; final results jump the queue (priority).
 * In-process on purpose: one Slack process owns a workspace's replies.
 */
const SLACK_TIER3_PER_MINUTE = 50;
/** A workspace's limiter is dropped after this long without a call (Bottleneck.Group's clean-up). */
const IDLE_MS = 5 * 60_000;

export class WorkspaceLimiter {
  /** One Bottleneck per workspace, made on first use and dropped when idle, by Bottleneck itself. */
  private readonly group: Bottleneck.Group;
  private stopped = false;

  constructor(perMinute = SLACK_TIER3_PER_MINUTE, options: { idleMs?: number } = {}) {
    this.group = new Bottleneck.Group({ minTime: Math.ceil(60_000 / perMinute), maxConcurrent: 4, timeout: options.idleMs ?? IDLE_MS });
  }

  schedule<T>(teamId: string, urgency: 'final' | 'progress', call: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('the Slack reply limiter is stopped'));
    return this.group.key(teamId).schedule({ priority: urgency === 'final' ? 1 : 5 }, call);
  }

  /** Workspaces that currently hold a limiter. */
  workspaces(): string[] {
    return this.group.keys();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.group.limiters().map(({ limiter }) => limiter.stop({ dropWaitingJobs: true }).catch(() => undefined)));
    await Promise.all(this.group.keys().map((key) => this.group.deleteKey(key)));
  }
}
