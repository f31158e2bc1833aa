import type { JobEvent } from '../../core/events.js';
import type { AssetRecord, JobRecord } from '../../core/records.js';

/** What a job's message should show now. Built from events, or from the record after a restart. */
export type ReplyView =
  | { kind: 'queued'; position: number }
  | { kind: 'started'; backend: string }
  | { kind: 'progress'; step: number; totalSteps: number; percent: number; stage: string }
  | { kind: 'saving'; percent: number }
  | { kind: 'retrying'; reason?: 'worker_stopped' }
  | { kind: 'completed'; job: JobRecord; assets: AssetRecord[]; durationMs: number; backend: string; seed: number }
  | { kind: 'failed'; code: string; ref: string | undefined }
  | { kind: 'cancelled'; by: 'user' | 'moderator' | 'system' };

export function isFinalView(view: ReplyView): boolean {
  return view.kind === 'completed' || view.kind === 'failed' || view.kind === 'cancelled';
}

/** Every event except `completed`, which needs the records (assets) first. */
export function viewFromEvent(event: Exclude<JobEvent, { type: 'completed' }>): ReplyView {
  switch (event.type) {
    case 'queued':
      return { kind: 'queued', position: event.position };
    case 'started':
      return { kind: 'started', backend: event.backend };
    case 'progress':
      return { kind: 'progress', step: event.step, totalSteps: event.totalSteps, percent: event.percent, stage: event.stage };
    case 'saving':
      return { kind: 'saving', percent: event.percent };
    case 'failed':
      return event.willRetry ? { kind: 'retrying' } : { kind: 'failed', code: event.code, ref: event.ref };
    case 'cancelled':
      return { kind: 'cancelled', by: event.by };
    case 'retrying':
      return { kind: 'retrying', reason: event.reason };
  }
}

/** The record's state, for a resumed reply whose events were missed while no Discord process ran. */
export function viewFromRecord(job: JobRecord, assets: AssetRecord[], position: number): ReplyView {
  switch (job.status) {
    case 'queued':
      return job.attempts > 0 ? { kind: 'retrying' } : { kind: 'queued', position };
    case 'running': {
      const match = /^(.*) (\d+)\/(\d+)$/.exec(job.stage);
      if (match) return { kind: 'progress', stage: match[1]!, step: Number(match[2]), totalSteps: Number(match[3]), percent: job.progress };
      return job.stage === 'saving' ? { kind: 'saving', percent: job.progress } : { kind: 'started', backend: job.backend ?? 'backend' };
    }
    case 'completed': {
      const durationMs = job.finishedAt && job.startedAt ? job.finishedAt.getTime() - job.startedAt.getTime() : 0;
      return { kind: 'completed', job, assets, durationMs, backend: job.backend ?? 'backend', seed: job.seed };
    }
    case 'failed':
      return { kind: 'failed', code: job.errorCode ?? 'internal', ref: job.errorRef ?? undefined };
    case 'cancelled':
      return { kind: 'cancelled', by: 'user' };
  }
}
