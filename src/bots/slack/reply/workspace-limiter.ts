import Bottleneck from 'bottleneck';

/**
 * Slack rate-limits chat.update per workspace at Tier 3 ("50+ per minute"). We spend at most
 * 50 a minute per workspace, spaced evenly (minTime 1.2 s) rather than in bursts, so progress of
 * many jobs in one workspace shares the budget; final results jump the queue (priority).
 * In-process on purpose: one Slack process owns a workspace's replies.
 */
export const SLACK_TIER3_PER_MINUTE = 50;

export class WorkspaceLimiter {
  private readonly limiters = new Map<string, Bottleneck>();
  private stopped = false;

  constructor(private readonly perMinute = SLACK_TIER3_PER_MINUTE) {}

  schedule<T>(teamId: string, urgency: 'final' | 'progress', call: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('the Slack reply limiter is stopped'));
    let limiter = this.limiters.get(teamId);
    if (!limiter) {
      limiter = new Bottleneck({ minTime: Math.ceil(60_000 / this.perMinute), maxConcurrent: 4 });
      this.limiters.set(teamId, limiter);
    }
    return limiter.schedule({ priority: urgency === 'final' ? 1 : 5 }, call);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.limiters.values()].map((l) => l.stop({ dropWaitingJobs: true }).catch(() => undefined)));
    this.limiters.clear();
  }
}
