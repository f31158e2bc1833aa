import type { BackendReport } from '../core/backend-report.js';
import { backendState, reportKey } from '../core/backend-report.js';
import type { Logger } from '../shared/logger.js';

export interface ReportSink {
  publish(report: BackendReport): Promise<void>;
  remove(key: string): Promise<void>;
}

/**
 * Checks the backend at worker start and every interval after, logs each problem as one line
 * (when the set of problems changes, so a steady fault is not repeated every minute) and
 * publishes the report for /readyz and the model list. The timer is closed by stop().
 */
export class BackendMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastProblems: string | undefined;
  private latestReport: BackendReport | undefined;

  constructor(
    private readonly check: () => Promise<BackendReport>,
    private readonly sink: ReportSink,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  /** Told of every report (the farm reads what the backend can run from it). */
  onReport: ((report: BackendReport) => void) | undefined;

  get latest(): BackendReport | undefined {
    return this.latestReport;
  }

  async start(): Promise<void> {
    await this.runOnce();
    this.timer = setInterval(() => {
      this.running ??= this.runOnce().finally(() => {
        this.running = undefined;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.latestReport) await this.sink.remove(reportKey(this.latestReport)).catch(() => undefined);
  }

  /** One check; never throws (a failed publish is logged and the next check tries again). */
  async runOnce(): Promise<void> {
    let report: BackendReport;
    try {
      report = await this.check();
    } catch (error) {
      this.log.warn({ err: error }, 'backend check failed');
      return;
    }
    this.latestReport = report;
    this.onReport?.(report);
    this.logChanges(report);
    await this.sink.publish(report).catch((error: unknown) => this.log.warn({ err: error }, 'could not publish the backend check'));
  }

  private logChanges(report: BackendReport): void {
    const key = JSON.stringify(report.problems);
    if (key === this.lastProblems) return;
    const first = this.lastProblems === undefined;
    this.lastProblems = key;
    const context = { backend: report.backend, ...(report.server ? { server: report.server } : {}) };
    for (const problem of report.problems) this.log.warn(context, problem);
    const runs = report.templates.filter((t) => t.runs).map((t) => t.name);
    const models = report.models.filter((m) => m.available).map((m) => m.id);
    if (report.problems.length === 0 || first) {
      this.log.info({ ...context, state: backendState(report), version: report.version, device: report.device, templates: runs, models }, `backend check: ${backendState(report)}`);
    }
  }
}
