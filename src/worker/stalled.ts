import type { AdmissionControl } from '../core/admission.js';
import type { JobEventBus } from '../core/ports.js';
import { errorRef } from '../shared/error-ref.js';
import type { WorkerJobStore } from './job-store.js';

export interface StalledDeps {
  store: Pick<WorkerJobStore, 'getJob' | 'fail' | 'closeAbandonedAttempts'>;
  admission: Pick<AdmissionControl, 'release'>;
  events: JobEventBus;
}

/**
 * BullMQ fails a job that stalled too often (its worker died mid-run, again and again) without our
 * processor ever seeing it. It ends like every other failure: the record, the user's slot, and the
 * failed event every live message and SSE stream waits for.
 */
export async function failStalledJob(deps: StalledDeps, jobId: string): Promise<void> {
  const record = await deps.store.getJob(jobId);
  if (!record) return;
  const ref = errorRef();
  // Before the failure write refreshes updated_at, the last moment the dead attempt was heard of.
  await deps.store.closeAbandonedAttempts(jobId);
  const failed = await deps.store.fail(jobId, { code: 'stalled', details: {}, ref });
  await deps.admission.release(record.userId, jobId);
  if (failed) await deps.events.publish({ type: 'failed', jobId, at: Date.now(), code: 'stalled', details: {}, ref, willRetry: false });
}

/** BullMQ's own words for it: "job stalled more than allowable limit". */
export function isStalledFailure(error: Error): boolean {
  return error.message.includes('stalled');
}
