import type { JobEvent } from '../../core/events.js';
import type { PreviewImage } from '../../core/generator.js';
import { shrinkPreview } from './shrink-preview.js';

/** Where an attempt's previews are kept (infra/previews PreviewStore). */
export interface PreviewSink {
  /** Returns the picture's sequence: above `floor`, rising with each put. */
  put(jobId: string, image: { mime: string; data: Buffer }, floor: number): Promise<number>;
  remove(jobId: string): Promise<void>;
}

export interface PreviewFeedDeps {
  store: PreviewSink;
  publish(event: JobEvent): Promise<void>;
  /** Least time between two previews of one job (PREVIEW_INTERVAL_MS). */
  intervalMs: number;
  log: { warn(details: object, message: string): void };
  now?: () => number;
  /** The attempt (1-based): its sequences start above every earlier attempt's. */
  attempt?: number;
}

/** Sequences one attempt may use; attempt n's start at (n - 1) x this. */
export const PREVIEW_SEQS_PER_ATTEMPT = 1_000_000;

/**
 * One attempt's live previews: at most one per interval, the rest dropped where they arrive (a
 * frame that comes while the last is still being shrunk and stored is dropped too: latest news
 * only, never a backlog). Each kept frame is shrunk, stored as the job's latest, and announced by
 * a `preview` event carrying its sequence. close() waits for the one in flight, so no preview
 * event follows the attempt's end, then removes the stored one. Never fails the job: a preview
 * that cannot be made or kept is logged and skipped.
 */
export class PreviewFeed {
  private lastAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(
    private readonly jobId: string,
    private readonly deps: PreviewFeedDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  offer(image: PreviewImage): void {
    if (this.closed || this.inFlight) return;
    const now = this.now();
    if (now - this.lastAt < this.deps.intervalMs) return;
    this.lastAt = now;
    // The backend's buffer is only ours during the call (the built-in renderer keeps painting it).
    const copy: PreviewImage = { ...image, data: Buffer.from(image.data) };
    this.inFlight = this.deliver(copy)
      .catch((error: unknown) => this.deps.log.warn({ err: error, jobId: this.jobId }, 'could not keep a live preview'))
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  /** The attempt's rendering is over: nothing more is announced, and its preview is gone. */
  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight;
    await this.deps.store.remove(this.jobId).catch((error: unknown) => this.deps.log.warn({ err: error, jobId: this.jobId }, 'could not remove the live preview (it expires by itself)'));
  }

  private async deliver(image: PreviewImage): Promise<void> {
    const small = await shrinkPreview(image);
    if (!small || this.closed) return;
    const seq = await this.deps.store.put(this.jobId, small, ((this.deps.attempt ?? 1) - 1) * PREVIEW_SEQS_PER_ATTEMPT);
    if (this.closed) return;
    await this.deps.publish({ type: 'preview', jobId: this.jobId, at: this.now(), seq });
  }
}
