import type { JobEvent } from '../core/events.js';
import { detailsOf, isJobFailureCode } from '../core/job-failures.js';
import { readDetails } from '../core/job-message/model.js';
import { toViews } from './asset-views.js';
import type { ProcessDeps } from './process-job.js';

/**
 * A job handed to a worker although its record has ended. That happens when the previous attempt
 * stopped after committing the end and before freeing the user's slot and announcing it (a crash,
 * or Redis failing right then): BullMQ runs the job again. Both steps are repeated from the record;
 * each is harmless when it had already happened (release is idempotent, renderers ignore a second
 * end). Nothing is rendered again. False when there is no such record (nothing to announce).
 */
export async function announceEndedJob(deps: Pick<ProcessDeps, 'store' | 'admission' | 'events'>, jobId: string): Promise<boolean> {
  const job = await deps.store.getJob(jobId);
  if (!job || job.status === 'queued' || job.status === 'running') return false;
  const at = Date.now();
  let end: JobEvent;
  if (job.status === 'completed') {
    const durationMs = job.finishedAt && job.startedAt ? job.finishedAt.getTime() - job.startedAt.getTime() : 0;
    const assets = toViews(await deps.store.listAssets(job.id));
    end = { type: 'completed', jobId: job.id, at, assets, durationMs, seed: job.seed, backend: job.backend ?? 'unknown' };
  } else if (job.status === 'failed') {
    const code = isJobFailureCode(job.errorCode) ? job.errorCode : 'internal';
    end = { type: 'failed', jobId: job.id, at, code, details: detailsOf(code, readDetails(job.errorDetails)), ...(job.errorRef ? { ref: job.errorRef } : {}), willRetry: false };
  } else {
    // The record does not say who cancelled; "system" would blame the service, "user" is the usual case.
    end = { type: 'cancelled', jobId: job.id, at, by: 'user' };
  }
  // Same order as a normal ending: the slot is free before the user hears the end.
  await deps.admission.release(job.userId, job.id);
  await deps.events.publish(end);
  return true;
}
