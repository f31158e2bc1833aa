import type { AssetView, JobEvent } from '../core/events.js';
import type { JobView } from '../core/generate-service.js';
import { groupOutputs } from '../core/outputs.js';
import { readDetails } from '../core/job-message/model.js';
import type { AssetRecord, JobRecord } from '../core/records.js';
import type { Eta } from '../core/wait/estimate.js';
import type { MediaLinks } from '../infra/links/media-links.js';
import { qualityNoteOf, type QualityNote } from '../core/quality.js';
import { jobFailureMessage, qualityNoteMessage } from './job-failure-words.js';

export interface ImageJson {
  url: string;
  webp_url?: string;
  thumbnail_url?: string;
  kind: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
}

/** Groups a job's asset rows (original + derivatives) into one entry per output. */
function imagesJson(assets: AssetRecord[], links: MediaLinks): ImageJson[] {
  return groupOutputs(assets).map(({ original, webp, thumbnail }) => {
    return {
      url: links.url(original.id),
      ...(webp ? { webp_url: links.url(webp.id) } : {}),
      ...(thumbnail ? { thumbnail_url: links.url(thumbnail.id) } : {}),
      kind: original.kind,
      mime: original.mime,
      width: original.width,
      height: original.height,
      bytes: original.bytes,
    };
  });
}

function viewImagesJson(assets: AssetView[], links: MediaLinks): ImageJson[] {
  return assets.map((a) => ({
    url: links.url(a.assetId),
    ...(a.webpAssetId ? { webp_url: links.url(a.webpAssetId) } : {}),
    ...(a.thumbnailAssetId ? { thumbnail_url: links.url(a.thumbnailAssetId) } : {}),
    kind: a.kind,
    mime: a.mime,
    width: a.width,
    height: a.height,
    bytes: a.bytes,
  }));
}

/** Where a job's status and its live events are read. */
export function jobUrls(publicUrl: string, jobId: string): { status_url: string; events_url: string } {
  const base = `${publicUrl}/api/anime/generation/${jobId}`;
  return { status_url: `${base}/status`, events_url: `${base}/events` };
}

/** Who reads a status body: admins also see the backend's own account of a failure. */
export interface StatusReader {
  admin: boolean;
}

/**
 * A failed (or retrying) job's error: its code, our words for it, its details and reference; the
 * backend's own text (an exception) only for admins.
 */
function errorJson(job: JobRecord, reader: StatusReader) {
  const details = readDetails(job.errorDetails);
  return {
    code: job.errorCode ?? 'internal',
    message: jobFailureMessage(job.errorCode ?? undefined, details),
    details,
    ...(job.errorRef ? { ref: job.errorRef } : {}),
    ...(reader.admin && job.errorAdminText ? { admin_text: job.errorAdminText } : {}),
  };
}

/** Expected start and finish of a queued job; approximate until times were measured for its kind and model. */
function etaJson(eta: Eta): { starts_at: string; finishes_at: string; approximate: boolean } {
  return { starts_at: new Date(eta.startsAt).toISOString(), finishes_at: new Date(eta.finishesAt).toISOString(), approximate: eta.approximate };
}

/** The seed-compatible status body, extended. Read as a non-admin unless told otherwise. */
export function statusJson(view: JobView, links: MediaLinks, publicUrl: string, reader: StatusReader = { admin: false }) {
  const { job } = view;
  return {
    job_id: job.id,
    status: job.status,
    progress: job.progress,
    stage: job.stage,
    ...(job.status === 'queued' ? { position: view.position } : {}),
    ...(job.status === 'queued' && view.eta ? { eta: etaJson(view.eta) } : {}),
    ...(job.errorCode ? { error: errorJson(job, reader) } : {}),
    project: job.projectSlug,
    prompt: job.promptSent,
    negative_prompt: job.negativeSent,
    seed: job.seed,
    width: job.width,
    height: job.height,
    steps: job.steps,
    count: job.count,
    kind: job.kind,
    backend: job.backend,
    // Answered from an identical recipe's files (or waiting on its render): no render of its own.
    reused: Boolean(job.reusedFrom),
    model: job.model ? { id: job.model, name: job.modelName || job.model } : null,
    attempts: job.attempts,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
    ...jobUrls(publicUrl, job.id),
    recipe_url: `${publicUrl}/api/anime/generation/${job.id}/recipe`,
    workflow_url: `${publicUrl}/api/anime/generation/${job.id}/workflow`,
    images: imagesJson(view.assets, links),
    quality: qualityJson(job.qualityRetried ?? false, qualityNoteOf(job.qualityProblems)),
    // Its family: the job it was made from, and the jobs made from it (variations, upscales, re-rolls).
    parent: job.parent ? { job_id: job.parent.jobId, output: job.parent.output, kind: job.parent.relation } : null,
    children: (view.children ?? []).map((child) => ({
      job_id: child.id,
      kind: child.parent?.relation ?? 'reroll',
      output: child.parent?.output ?? null,
      status: child.status,
      status_url: jobUrls(publicUrl, child.id).status_url,
    })),
  };
}

/** Whether the first render was replaced after failing the quality check, and the note when the second failed too. */
function qualityJson(retried: boolean, note: QualityNote | undefined) {
  return { rerendered: retried, ...(note ? { problems: note.problems, message: qualityNoteMessage(note) } : {}) };
}

/** An event as SSE clients see it: snake_case, asset ids turned into signed URLs. */
export function eventJson(event: JobEvent, links: MediaLinks): Record<string, unknown> {
  const base = { type: event.type, job_id: event.jobId, at: event.at };
  switch (event.type) {
    case 'queued':
      return { ...base, position: event.position, ...(event.eta ? { eta: etaJson(event.eta) } : {}) };
    case 'started':
      return { ...base, attempt: event.attempt, backend: event.backend, progress: 0 };
    case 'progress':
      return { ...base, step: event.step, total_steps: event.totalSteps, progress: event.percent, stage: event.stage };
    case 'saving':
      return { ...base, progress: event.percent, stage: 'saving' };
    case 'preview':
      // The picture's signed link is in the `view` that goes out before this event.
      return { ...base, seq: event.seq };
    case 'completed':
      return {
        ...base,
        progress: 100,
        duration_ms: event.durationMs,
        seed: event.seed,
        backend: event.backend,
        ...(event.reused ? { reused: true } : {}),
        images: viewImagesJson(event.assets, links),
        quality: qualityJson(event.quality?.retried ?? false, qualityNoteOf(event.quality?.problems)),
      };
    case 'failed':
      return { ...base, code: event.code, message: jobFailureMessage(event.code, event.details), details: event.details, ...(event.ref ? { ref: event.ref } : {}), will_retry: event.willRetry };
    case 'cancelled':
      return { ...base, by: event.by };
    case 'retrying':
      return { ...base, reason: event.reason, attempt: event.attempt, progress: 0 };
  }
}
