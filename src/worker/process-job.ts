import { setTimeout as sleep } from 'node:timers/promises';
import type { AdmissionControl } from '../core/admission.js';
import { GenerationError, JobCancelledError } from '../core/errors.js';
import type { JobEvent } from '../core/events.js';
import type { JobFailureCode } from '../core/job-failures.js';
import { BACKEND_DOWN_REASON, BOX_WITHDRAWN_REASON, type GeneratedFile, type Generator, type PreviewImage, type ProgressReport, type ReferenceImage } from '../core/generator.js';
import type { JobEventBus } from '../core/ports.js';
import type { JobRecord } from '../core/records.js';
import { errorRef } from '../shared/error-ref.js';
import type { Logger } from '../shared/logger.js';
import type { AttemptOutcome } from '../db/attempt-records.js';
import { toViews } from './asset-views.js';
import { sanitizeBackendText } from './backend-text.js';
import { GpuClock } from './gpu-clock.js';
import { BoxWithdrawnError, READY_LEAD_MS, type BoxHold } from './farm/backend-slot.js';
import type { NewAsset, QualityOutcome, WorkerJobStore } from './job-store.js';
import type { QualityReport } from './media/quality.js';
import { renderWithQualityCheck, type RenderPass } from './quality-gate.js';
import { isRecordUnreachable } from './record-unreachable.js';
import { announceEndedJob } from './settle-ended-job.js';
import { PreviewFeed, type PreviewSink } from './previews/preview-feed.js';

/** Share of the bar that generation takes; the rest is saving and derivatives. */
const GENERATION_SHARE = 90;
const DB_PROGRESS_INTERVAL_MS = 1_000;
/** While the completion cannot be recorded, it is tried again after this long, doubling up to the cap. */
const COMMIT_RETRY_FIRST_MS = 250;
const COMMIT_RETRY_MAX_MS = 5_000;

export interface OutputStorer {
  /** The quality check of one output, before anything of it is stored. */
  check(file: GeneratedFile, job: JobRecord): Promise<QualityReport>;
  /** Stores one output (original and derivatives) and returns the asset rows to record; `quality` is its check, when already made. */
  store(file: GeneratedFile, context: { job: JobRecord; index: number; quality?: QualityReport }): Promise<NewAsset[]>;
  /** Removes what store() wrote, when the job was cancelled while saving. */
  discard(rows: NewAsset[]): Promise<void>;
}

export interface ProcessDeps {
  store: WorkerJobStore;
  generator: Generator;
  outputs: OutputStorer;
  events: JobEventBus;
  admission: AdmissionControl;
  /** The job's reference pictures (its `input` assets), read for the backend. */
  inputs?: { load(job: JobRecord): Promise<ReferenceImage[]> };
  /** Told when a job starts, so the jobs behind it hear their new place in line. */
  places: { jobStarted(): void };
  log: Logger;
  /** Queues a job that waited on this one's render and now renders itself (this one ended without files). */
  enqueue?: (jobId: string, priority: number) => Promise<void>;
  /** Live previews while the backend renders (absent: none are taken). */
  previews?: { store: PreviewSink; intervalMs: number };
}

/** How the attempt ended, for the BullMQ layer to translate into its own terms. */
export type AttemptResult =
  | { kind: 'done' }
  | { kind: 'skipped'; why: 'ended' }
  | { kind: 'cancelled' }
  | { kind: 'interrupted' }
  /** Postgres could not be reached before any work was kept: wait for it, then run again (no attempt spent). */
  | { kind: 'unreachable' }
  | { kind: 'failed'; retry: 'never' | 'backoff' | 'rate_limit'; code: JobFailureCode; ref: string; retryAfterMs?: number };

export interface AttemptInfo {
  jobId: string;
  attempt: number;
  maxAttempts: number;
  signal: AbortSignal;
  /** True when the abort came from a shutdown, not from a user's cancel. */
  isShutdown(): boolean;
  /** The job's lane on its backend: let go as soon as a render is over, so the next prompt need not wait for this job to settle. */
  box?: BoxHold;
}

/**
 * One attempt at one job: record -> backend -> media -> records -> result event.
 * Knows nothing of BullMQ; returns what happened and lets the caller steer the queue.
 */
export async function processJob(deps: ProcessDeps, info: AttemptInfo): Promise<AttemptResult> {
  const { store, generator, events } = deps;
  const log = deps.log.child({ jobId: info.jobId, attempt: info.attempt });
  let claimed: Awaited<ReturnType<WorkerJobStore['claim']>>;
  try {
    claimed = await store.claim(info.jobId, generator.name, info.attempt, info.box?.isReady() ? 'ready' : 'starting');
    // Ended already: a previous attempt may have stopped between its commit and its last words.
    if (!claimed) {
      await announceEndedJob(deps, info.jobId);
      return { kind: 'skipped', why: 'ended' };
    }
  } catch (error) {
    if (!isRecordUnreachable(error)) throw error;
    log.warn({ err: error }, 'the job record cannot be reached; the job waits');
    return { kind: 'unreachable' };
  }
  const { job, attemptId } = claimed;
  const gpu = new GpuClock();
  // The attempt's row is closed before the user hears the end, so a quota check right after counts it.
  // Never fatal: a row left open is closed by the recovery path (next claim, stalled-job failure).
  const closeAttempt = (outcome: AttemptOutcome) =>
    store.attempts.close(attemptId, outcome, gpu.ms).catch((error: unknown) => log.warn({ err: error, outcome }, 'could not record the attempt\'s GPU time'));
  let started = Date.now();
  const publish = (event: JobEvent) =>
    events.publish(event).catch((error: unknown) => log.warn({ err: error }, 'could not publish a job event'));
  // Out of the line now: the jobs behind it move up.
  deps.places.jobStarted();
  // "Started" is said once the job has its box (a job let in ahead waits there while the box
  // finishes the one before), or once the backend is at work on it, whichever comes first.
  // Progress events are not awaited: one connection keeps them in order, and the job need not wait
  // for Redis to acknowledge what is only news (the record holds the truth).
  let announced = false;
  const announceStart = (waitedForBox = false) => {
    if (announced) return;
    announced = true;
    started = Date.now();
    if (claimed.resumed) void publish({ type: 'retrying', jobId: job.id, at: started, reason: 'worker_stopped', attempt: info.attempt });
    void publish({ type: 'started', jobId: job.id, at: started, attempt: info.attempt, backend: generator.name });
    // A job that waited for its box (let in ahead, claimed while the box finished the job before)
    // has its start moved to now, so measured job times and waits hold the time on the box.
    if (waitedForBox) store.attempts.onBox(attemptId, job.id).catch((error: unknown) => log.warn({ err: error }, 'could not record the start on the box'));
  };
  const onBackendWork = (phase: 'started' | 'stopped') => {
    if (phase === 'started') announceStart(false);
    if (gpu.mark(phase)) store.attempts.gpuStarted(attemptId).catch((error: unknown) => log.warn({ err: error }, 'could not record the GPU start'));
  };

  let lastDbWrite = 0;
  let boxTakenAt = Date.now();
  const onProgress = (report: ProgressReport) => {
    const total = Math.max(1, report.totalSteps);
    if (info.box && endsSoon(report, Date.now() - boxTakenAt)) info.box.nearlyDone();
    const percent = Math.min(GENERATION_SHARE, Math.round((report.step / total) * GENERATION_SHARE));
    void publish({ type: 'progress', jobId: job.id, at: Date.now(), step: report.step, totalSteps: total, percent, stage: report.stage });
    const now = Date.now();
    // The record follows at most once a second; completion writes the final state anyway.
    if (now - lastDbWrite >= DB_PROGRESS_INTERVAL_MS && report.step < total) {
      lastDbWrite = now;
      store.updateProgress(job.id, percent, `${report.stage} ${report.step}/${total}`).catch((error: unknown) => log.warn({ err: error }, 'progress write failed'));
    }
  };

  // Only while it renders: closed before "saving" is announced, so no preview follows it, and gone with the attempt.
  const previews = deps.previews ? new PreviewFeed(job.id, { store: deps.previews.store, intervalMs: deps.previews.intervalMs, publish, log, attempt: info.attempt }) : undefined;

  let stored: NewAsset[] = [];
  try {
    const images = (await deps.inputs?.load(job)) ?? [];
    const render = async (seed: number, pass: RenderPass) => {
      // The box, for each render (a re-render waits for a lane again): taken by the generator once
      // its request is ready when it prepares ahead, else here before it starts.
      let onBox: Promise<void> | undefined;
      const takeBox = () =>
        (onBox ??= Promise.resolve(info.box?.acquire(info.signal)).then((waited) => {
          boxTakenAt = Date.now();
          announceStart(waited === true);
        }));
      if (!generator.preparesAhead) await takeBox();
      return generator
        .generate(
          {
            jobId: job.id,
            kind: job.kind,
            prompt: job.promptSent,
            negativePrompt: job.negativeSent,
            width: job.width,
            height: job.height,
            seed,
            steps: job.steps,
            count: job.count,
            attempt: info.attempt,
            ...(pass === 1 ? {} : { render: pass }),
            // The characters' LoRAs as recorded with the job (ComfyUI chains a loader per LoRA).
            ...(job.loras && job.loras.length > 0 ? { loras: job.loras } : {}),
            ...(job.model ? { model: job.model } : {}),
            ...(images.length > 0 ? { images, strength: job.referenceStrength ?? undefined } : {}),
            ...(job.parent?.relation === 'upscale' ? { operation: 'upscale' as const } : {}),
          },
          // The second render's bar starts over; its label says why.
          {
            signal: info.signal,
            onProgress: pass === 1 ? onProgress : (r) => onProgress({ ...r, stage: 're-rendering' }),
            onBackendWork,
            onBackendFree: () => info.box?.release(),
            // Recorded before it goes out (the re-render's replaces the first's); a lost write costs the download, never the job.
            onRequestBuilt: (sent) => store.recordWorkflow(job.id, info.attempt, generator.name, sent).catch((error: unknown) => log.warn({ err: error }, 'could not record the workflow sent')),
            ...(previews ? { onPreview: (image: PreviewImage) => previews.offer(image) } : {}),
            beforeBackend: takeBox,
          },
        )
        .finally(() => {
          gpu.stop();
          // The backend is done with this render (outputs downloaded, or it failed): the box is free.
          info.box?.release();
        });
    };
    const checked = await renderWithQualityCheck(job, render, (file) => deps.outputs.check(file, job), log).finally(() => previews?.close());
    const { files } = checked;
    if (info.signal.aborted) throw new JobCancelledError();
    // Outputs an earlier attempt left finished on the backend: no box was needed, the job started all the same.
    announceStart(false);
    void publish({ type: 'saving', jobId: job.id, at: Date.now(), percent: GENERATION_SHARE + 2 });
    for (const [index, file] of files.entries()) {
      stored = stored.concat(await deps.outputs.store(file, { job, index, quality: checked.reports[index] }));
    }
    const quality = { seed: checked.seed, retried: checked.retried, problems: checked.problems };
    if (!(await commitCompletion(store, job.id, stored, quality, info.signal, log))) {
      // Cancelled while we were saving: the user asked for nothing, so keep nothing.
      await deps.outputs.discard(stored);
      await closeAttempt('cancelled');
      return { kind: 'cancelled' };
    }
    await closeAttempt('completed');
    const durationMs = Date.now() - started;
    // Sent together on one connection, in this order: the user's slot is free before they hear "done".
    await Promise.all([
      deps.admission.release(job.userId, job.id),
      publish({
        type: 'completed',
        jobId: job.id,
        at: Date.now(),
        assets: toViews(stored),
        durationMs,
        seed: checked.seed,
        backend: generator.name,
        ...(checked.retried ? { quality: { retried: true as const, problems: checked.problems } } : {}),
      }),
    ]);
    log.info({ durationMs, outputs: files.length, qualityRetried: checked.retried, qualityProblems: checked.problems }, 'job completed');
    await settleWaiting(deps, job.id, 'completed', log);
    return { kind: 'done' };
  } catch (error) {
    if (error instanceof BoxWithdrawnError || (info.signal.aborted && info.signal.reason === BOX_WITHDRAWN_REASON)) {
      // Let in ahead, and the box stopped taking work before the job reached it: nothing ran, so
      // the attempt leaves no row and is not spent; the job goes back to the line for another box.
      await store.attempts.discard(attemptId).catch((e: unknown) => log.warn({ err: e }, 'could not drop the unstarted attempt'));
      await store.requeue(job.id, 'queued').catch((e: unknown) => log.warn({ err: e }, 'could not record the hand-back'));
      return { kind: 'interrupted' };
    }
    if (info.signal.aborted && info.signal.reason === BACKEND_DOWN_REASON) {
      // The backend stopped answering mid-run: this attempt counts, and the job retries elsewhere.
      await closeAttempt('interrupted');
      return failOrWait(deps, job, info, new GenerationError('backend_unreachable', {}, 'backoff', { adminText: `backend ${generator.name} stopped answering` }), log, publish);
    }
    if (error instanceof JobCancelledError || info.signal.aborted) {
      if (info.isShutdown()) {
        await closeAttempt('interrupted');
        // Unrecorded hand-backs are fine: the next claim accepts a record still saying running.
        await store.requeue(job.id, 'queued').catch((e: unknown) => log.warn({ err: e }, 'could not record the hand-back'));
        return { kind: 'interrupted' };
      }
      await closeAttempt('cancelled');
      return { kind: 'cancelled' };
    }
    await closeAttempt('failed');
    return failOrWait(deps, job, info, error, log, publish);
  }
}

/**
 * Whether the render reporting `report` after `elapsedMs` on its box should end within
 * READY_LEAD_MS, at the pace of its steps so far (setup time counts, so the guess errs late), or
 * has its sampling done: then the farm prepares the next job for the box.
 */
function endsSoon(report: ProgressReport, elapsedMs: number): boolean {
  if (report.totalSteps <= 0 || report.step <= 0) return false;
  if (report.step >= report.totalSteps) return true;
  return (elapsedMs / report.step) * (report.totalSteps - report.step) <= READY_LEAD_MS;
}

async function failOrWait(...args: Parameters<typeof failAttempt>): Promise<AttemptResult> {
  try {
    return await failAttempt(...args);
  } catch (recordError) {
    // The failure could not be recorded: nothing was kept, so the job waits and runs again.
    if (isRecordUnreachable(recordError)) return { kind: 'unreachable' };
    throw recordError;
  }
}

/**
 * Records the completion, waiting out a Postgres outage in place: the files are made and stored,
 * only the record is missing, so the job keeps its lock and nothing is rendered twice. False when
 * the job stopped being ours (cancelled while saving).
 */
async function commitCompletion(store: WorkerJobStore, jobId: string, files: NewAsset[], quality: QualityOutcome, signal: AbortSignal, log: Logger): Promise<boolean> {
  let delay = COMMIT_RETRY_FIRST_MS;
  let triedBefore = false;
  for (;;) {
    try {
      if (await store.complete(jobId, files, quality)) return true;
      if (!triedBefore) return false;
      // An earlier try may have committed before its reply was lost: then the record is ours.
      return (await store.getJob(jobId))?.status === 'completed';
    } catch (error) {
      if (!isRecordUnreachable(error)) throw error;
      if (!triedBefore) log.warn({ err: error }, 'the completion cannot be recorded yet; waiting for Postgres');
      triedBefore = true;
    }
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      throw new JobCancelledError();
    }
    delay = Math.min(delay * 2, COMMIT_RETRY_MAX_MS);
  }
}

async function failAttempt(
  deps: ProcessDeps,
  job: JobRecord,
  info: AttemptInfo,
  error: unknown,
  log: Logger,
  publish: (event: JobEvent) => Promise<void>,
): Promise<AttemptResult> {
  const ref = errorRef();
  const known = error instanceof GenerationError ? error : undefined;
  const retry = known?.retry ?? 'backoff';
  const code = known?.code ?? 'internal';
  const details = flatDetails(known?.details);
  // The backend's own account goes to the log and the admins' view of the job, never to a reply.
  // An unforeseen error (a bug) keeps its text in the log only: the reference id leads there.
  const adminText = known?.adminText === undefined ? undefined : sanitizeBackendText(known.adminText, 400);
  const willRetry = retry === 'rate_limit' || (retry === 'backoff' && info.attempt < info.maxAttempts);
  log.error({ err: error, ref, code, details, adminText, willRetry }, 'job attempt failed');
  const failure = { code, details, ...(adminText ? { adminText } : {}) };
  if (willRetry) {
    await deps.store.requeue(job.id, 'retrying', failure);
  } else {
    await deps.store.fail(job.id, { ...failure, ref });
    await deps.admission.release(job.userId, job.id);
  }
  await publish({ type: 'failed', jobId: job.id, at: Date.now(), code, details, ref, willRetry });
  if (!willRetry) await settleWaiting(deps, job.id, 'failed', log);
  return { kind: 'failed', retry: willRetry ? retry : 'never', code, ref, retryAfterMs: known?.retryAfterMs };
}

/** Details as the record and the event carry them: text values only. */
function flatDetails(details: object | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(details ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * The jobs that waited on this render: completed with its files (announced like any completion,
 * marked reused, slots freed first), or, when it ended without files, handed on to one of them
 * that renders now. Never fatal: the queue sweep settles any left over.
 */
export async function settleWaiting(deps: Pick<ProcessDeps, 'store' | 'admission' | 'events' | 'enqueue'>, twinId: string, outcome: 'completed' | 'failed' | 'cancelled', log: Logger): Promise<void> {
  try {
    if (outcome !== 'completed') {
      const promoted = await deps.store.waiting.promoteWaiting(twinId);
      if (promoted) await deps.enqueue?.(promoted.id, promoted.priority);
      return;
    }
    for (const done of await deps.store.waiting.completeWaiting(twinId)) {
      await deps.admission.release(done.userId, done.jobId);
      await deps.events.publish({ type: 'completed', jobId: done.jobId, at: Date.now(), assets: toViews(done.assets), durationMs: 0, seed: done.seed, backend: done.backend, reused: true });
    }
  } catch (error) {
    log.warn({ err: error, twinId }, 'could not settle the jobs waiting on this one; the sweep will');
  }
}
