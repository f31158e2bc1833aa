import type { JobFailureCode } from './job-failures.js';
import type { Eta } from './wait/estimate.js';
import type { QualityProblem } from './quality.js';

/**
 * Job lifecycle events. The worker publishes them; every adapter that owns a reply renders them
 * (Discord embed, Slack blocks, SSE JSON). Percentages are real: they come from backend steps.
 */
export interface AssetView {
  assetId: string;
  index: number;
  kind: 'image' | 'video';
  mime: string;
  width: number;
  height: number;
  bytes: number;
  /** Asset ids of the derivatives, when made. */
  webpAssetId?: string;
  thumbnailAssetId?: string;
}

interface Base {
  jobId: string;
  /** Milliseconds since the epoch when the event was produced. */
  at: number;
}

export type JobEvent =
  /** A place in line, with the expected start and finish when they could be estimated. */
  | (Base & { type: 'queued'; position: number; eta?: Eta })
  | (Base & { type: 'started'; attempt: number; backend: string })
  | (Base & { type: 'progress'; step: number; totalSteps: number; percent: number; stage: string })
  | (Base & { type: 'saving'; percent: number })
  /**
   * A new in-progress picture of the running attempt: only its sequence number travels, the image
   * itself waits in the preview store (src/infra/previews) behind a signed link until the attempt ends.
   */
  | (Base & { type: 'preview'; seq: number })
  /**
   * `reused`: answered from an identical recipe's files, without rendering. `quality`: present when
   * the first render failed the quality check and the job was rendered again (`seed` is the second
   * render's); `problems` lists what the posted outputs still fail.
   */
  | (Base & { type: 'completed'; assets: AssetView[]; durationMs: number; seed: number; backend: string; reused?: boolean; quality?: { retried: true; problems: QualityProblem[] } })
  /** Why, as a code and its details (job-failures.ts); each adapter writes its own words. */
  | (Base & { type: 'failed'; code: JobFailureCode; details: Readonly<Record<string, string>>; ref?: string; willRetry: boolean })
  /** The job runs again from the start because the worker running it stopped mid-job. */
  | (Base & { type: 'retrying'; reason: 'worker_stopped'; attempt: number })
  | (Base & { type: 'cancelled'; by: 'user' | 'moderator' | 'system' });

export type JobEventType = JobEvent['type'];

export function isTerminal(event: JobEvent): boolean {
  return event.type === 'completed' || event.type === 'cancelled' || (event.type === 'failed' && !event.willRetry);
}
