import { jobFailureMessage, qualityNoteMessage } from './job-failure-words.js';
import { ordinal } from '../core/job-message/bar.js';
import { buttons, isDeleted, isFinal, type Button, type JobError, type JobMessage, type Stage } from '../core/job-message/model.js';
import type { Eta } from '../core/wait/estimate.js';

/**
 * The web's renderer of the one job message (core/job-message/model.ts): the `view` event of a
 * job's live stream. The stream route applies the model to every event and sends what this returns;
 * the try page only draws it, so ordering rules (never back to "queued", stale events, finals win)
 * live in the model alone, as for Discord and Slack. Plain text throughout: the page writes it with
 * textContent, so nothing a user typed can become markup.
 */

interface WebImage {
  url: string;
  webp_url?: string;
  thumbnail_url?: string;
  kind: 'image' | 'video';
  width: number;
  height: number;
}

export interface WebJobView {
  job_id: string;
  stage: Stage;
  /** The status line, as the page shows it. */
  text: string;
  percent: number;
  /** No view follows a final one: the stream ends. */
  final: boolean;
  /** The prompt as the user typed it. */
  prompt: string;
  /** 1-based place in line, while queued. */
  place?: number;
  /** Expected start and finish (ISO 8601), while queued and when they could be estimated; approximate before any times were measured. */
  eta?: { starts_at: string; finishes_at: string; approximate: boolean };
  step?: number;
  total_steps?: number;
  /** The finished job's files (empty until then, and after they were deleted). */
  images: WebImage[];
  /** Seed, size and backend of the finished job. */
  recipe?: string;
  project_url?: string;
  error?: { code: string; details: Readonly<Record<string, string | number>>; ref?: string; text: string };
  /** The finished outputs failed the quality check even after a second render (posted anyway). */
  quality_note?: { problems: string[]; text: string };
  /** A signed, short-lived link to the picture so far, while it renders (never on a final view: the images replace it). */
  preview_url?: string;
  /** What may be done with the job now, as the model allows (the same buttons the chat replies carry). */
  actions: Button[];
}

export interface WebViewContext {
  /** A signed media link of an asset (MediaLinks.url). */
  mediaUrl(assetId: string): string;
  /** The project's signed gallery link for whoever follows the stream. */
  projectUrl: string;
  /** A signed link to a job's live preview (PreviewLinks.url); absent: previews are not shown. */
  previewUrl?(jobId: string, seq: number): string;
}

/** Words for a job that failed in the worker: the web's words table for its code, then its reference. */
function webFailureText(error: JobError | undefined): string {
  const what = jobFailureMessage(error?.code, error?.details);
  return error?.ref ? `${what} Reference ${error.ref}.` : what;
}

/** The server does not know the reader's time zone: the text says UTC, and `eta` carries the instants for the page. */
function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

function waitText(eta: Eta | undefined): string {
  if (!eta) return '';
  return eta.approximate
    ? ` · expected start about ${utcTime(eta.startsAt)}, done around ${utcTime(eta.finishesAt)} (a first guess: no times measured yet)`
    : ` · expected start ${utcTime(eta.startsAt)}, done around ${utcTime(eta.finishesAt)}`;
}

function statusText(m: JobMessage): string {
  switch (m.stage) {
    case 'queued':
      return `Queued — ${ordinal(m.position ?? 1)} in line${waitText(m.eta)}`;
    case 'starting':
      return m.retryReason === 'worker_stopped' ? 'Retrying after a worker stopped — starting…' : 'Starting…';
    case 'running':
      return `Step ${m.step ?? 0} of ${m.totalSteps ?? 0} — ${m.percent}%`;
    case 'saving':
      return `Saving… ${m.percent}%`;
    case 'retrying':
      return m.retryReason === 'worker_stopped' ? 'Retrying after a worker stopped…' : 'The image backend had a problem; trying again…';
    case 'completed':
      return isDeleted(m) ? 'Done — the image was deleted' : 'Done';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return m.cancelledBy === 'moderator' ? 'Cancelled by a moderator' : m.cancelledBy === 'system' ? 'Cancelled by the service' : 'Cancelled';
  }
}

export function renderWebView(m: JobMessage, ctx: WebViewContext): WebJobView {
  const { job } = m;
  const images: WebImage[] = m.outputs.map(({ kind, width, height, original, webp, thumbnail }) => ({
    url: ctx.mediaUrl(original.assetId),
    ...(webp ? { webp_url: ctx.mediaUrl(webp.assetId) } : {}),
    ...(thumbnail ? { thumbnail_url: ctx.mediaUrl(thumbnail.assetId) } : {}),
    kind,
    width,
    height,
  }));
  const size = `${job.width}×${job.height}${job.count > 1 ? ` ×${job.count}` : ''}`;
  return {
    job_id: job.jobId,
    stage: m.stage,
    text: statusText(m),
    percent: m.stage === 'completed' ? 100 : m.percent,
    final: isFinal(m),
    prompt: job.prompt,
    ...(m.stage === 'queued' ? { place: m.position ?? 1 } : {}),
    ...(m.stage === 'queued' && m.eta
      ? { eta: { starts_at: new Date(m.eta.startsAt).toISOString(), finishes_at: new Date(m.eta.finishesAt).toISOString(), approximate: m.eta.approximate } }
      : {}),
    ...(m.stage === 'running' && m.step !== undefined ? { step: m.step, total_steps: m.totalSteps ?? 0 } : {}),
    images,
    ...(m.preview && ctx.previewUrl && !isFinal(m) ? { preview_url: ctx.previewUrl(job.jobId, m.preview.seq) } : {}),
    ...(m.stage === 'completed' ? { recipe: `seed ${m.seed ?? ''} · ${size}${m.backend ? ` · ${m.backend}` : ''}` } : {}),
    ...(isFinal(m) ? { project_url: ctx.projectUrl } : {}),
    ...(m.stage === 'completed' && m.qualityNote ? { quality_note: { problems: [...m.qualityNote.problems], text: qualityNoteMessage(m.qualityNote) } } : {}),
    ...(m.stage === 'failed' && m.error
      ? { error: { code: m.error.code, details: m.error.details, ...(m.error.ref ? { ref: m.error.ref } : {}), text: webFailureText(m.error) } }
      : {}),
    actions: buttons(m),
  };
}
