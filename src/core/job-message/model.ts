import type { AssetView, JobEvent } from '../events.js';
import { groupOutputs } from '../outputs.js';
import { qualityNoteOf, type QualityNote } from '../quality.js';
import type { AssetRecord, JobRecord } from '../records.js';
import type { Eta } from '../wait/estimate.js';

/**
 * One job's message, as every platform shows it (Discord, Slack, the web page). Pure: built from the
 * record (fromRecord), moved by events (apply). Renderers only turn it into their format.
 */

/** What the job is doing, in the order a job goes through them. */
export type Stage = 'queued' | 'starting' | 'running' | 'saving' | 'retrying' | 'completed' | 'failed' | 'cancelled';

const FINAL: ReadonlySet<Stage> = new Set(['completed', 'failed', 'cancelled']);

export type Button = 'cancel' | 'reroll' | 'delete';

export interface FileRef {
  assetId: string;
  mime: string;
  bytes: number;
  /** Known when the facts come from the record; the driver confirms every final state there. */
  storageKey?: string;
}

export interface OutputView {
  index: number;
  kind: 'image' | 'video';
  width: number;
  height: number;
  original: FileRef;
  webp?: FileRef;
  thumbnail?: FileRef;
}

/** The job's own facts, fixed at submission: what the user asked for and where it goes. */
export interface JobFacts {
  jobId: string;
  /** The prompt as the user typed it (not the one merged with characters: that is in the gallery). */
  prompt: string;
  negative: string;
  projectSlug: string;
  spaceId: string;
  userId: string;
  /** The author's platform id (named, never pinged, where a platform needs it). */
  userExternalId: string;
  width: number;
  height: number;
  count: number;
  /** The model's display name as it was when the job was made (absent on jobs older than models). */
  model?: string;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Which preview of a job: the renderers turn it into an attachment or a signed link. */
export interface PreviewRef {
  seq: number;
}

export interface JobError {
  code: string;
  details: Readonly<Record<string, string | number>>;
  ref?: string;
}

export interface JobMessage {
  job: JobFacts;
  stage: Stage;
  /** 1-based place in line, while queued. */
  position?: number;
  /** Expected start and finish, while queued (core/wait). */
  eta?: Eta;
  percent: number;
  step?: number;
  totalSteps?: number;
  /** The backend's own label for what it does now ('sampling', 'decoding'). */
  activity?: string;
  backend?: string;
  /** The running attempt's latest in-progress picture (never an asset: it lives until the attempt ends). */
  preview?: PreviewRef;
  outputs: OutputView[];
  seed?: number;
  durationMs?: number;
  error?: JobError;
  /** The posted outputs failed the quality check even after a second render: each renderer says so in its words. */
  qualityNote?: QualityNote;
  cancelledBy?: 'user' | 'moderator' | 'system';
  /** Set when the job runs again because its worker stopped; kept for the rest of the run, so the bar starting over says why. */
  retryReason?: 'worker_stopped';
  /** Newest worker event time applied (ms): an older progress event is news from the past. */
  at: number;
}

export function isFinal(message: JobMessage): boolean {
  return FINAL.has(message.stage);
}

/** A finished job whose files were all deleted afterwards. */
export function isDeleted(message: JobMessage): boolean {
  return message.stage === 'completed' && message.outputs.length === 0;
}

export function buttons(message: JobMessage): Button[] {
  if (!isFinal(message)) return ['cancel'];
  return message.stage === 'completed' && !isDeleted(message) ? ['reroll', 'delete'] : ['reroll'];
}

/** Variations or Upscale of one output: Midjourney's V1 V2 … U1 U2 … under a finished post. */
export interface OutputButton {
  action: 'variation' | 'upscale';
  /** 0-based output index; labels count from 1. */
  output: number;
}

/** A finished post's per-output buttons: a Variations and an Upscale for each still picture, variations first. */
export function outputButtons(message: JobMessage): OutputButton[] {
  if (message.stage !== 'completed' || isDeleted(message)) return [];
  const stills = message.outputs.filter((o) => o.kind === 'image').map((o) => o.index);
  return [...stills.map((output) => ({ action: 'variation' as const, output })), ...stills.map((output) => ({ action: 'upscale' as const, output }))];
}

/** The label a platform shows for an output button ("V1", "U2"). */
export function outputButtonLabel(button: OutputButton): string {
  return `${button.action === 'variation' ? 'V' : 'U'}${button.output + 1}`;
}

export function factsOf(job: JobRecord): JobFacts {
  const typed = (job.request as { prompt?: unknown; negativePrompt?: unknown } | null) ?? {};
  return {
    jobId: job.id,
    prompt: typeof typed.prompt === 'string' ? typed.prompt : job.promptSent,
    negative: typeof typed.negativePrompt === 'string' ? typed.negativePrompt : job.negativeSent,
    projectSlug: job.projectSlug,
    spaceId: job.spaceId,
    userId: job.userId,
    userExternalId: job.userExternalId,
    width: job.width,
    height: job.height,
    count: job.count,
    ...(job.modelName || job.model ? { model: job.modelName || job.model } : {}),
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

function fileOf(asset: AssetRecord): FileRef {
  return { assetId: asset.id, mime: asset.mime, bytes: asset.bytes, storageKey: asset.storageKey };
}

export function outputsOf(assets: readonly AssetRecord[]): OutputView[] {
  return groupOutputs(assets).map(({ index, original, webp, thumbnail }) => ({
    index,
    kind: original.kind,
    width: original.width,
    height: original.height,
    original: fileOf(original),
    ...(webp ? { webp: fileOf(webp) } : {}),
    ...(thumbnail ? { thumbnail: fileOf(thumbnail) } : {}),
  }));
}

function outputsOfEvent(assets: readonly AssetView[]): OutputView[] {
  return assets.map((a) => ({
    index: a.index,
    kind: a.kind,
    width: a.width,
    height: a.height,
    original: { assetId: a.assetId, mime: a.mime, bytes: a.bytes },
    ...(a.webpAssetId ? { webp: { assetId: a.webpAssetId, mime: 'image/webp', bytes: 0 } } : {}),
    ...(a.thumbnailAssetId ? { thumbnail: { assetId: a.thumbnailAssetId, mime: 'image/webp', bytes: 0 } } : {}),
  }));
}

/** The worker records a running job's stage as "<activity> <step>/<total>" (process-job). */
const STEP_STAGE = /^(.*) (\d+)\/(\d+)$/;

/** The record's state: a new reply, a resumed one, or the truth a final event is confirmed against. */
export function fromRecord(job: JobRecord, assets: readonly AssetRecord[], position = 1, eta?: Eta): JobMessage {
  const base: JobMessage = { job: factsOf(job), stage: 'queued', percent: job.progress, outputs: [], at: 0, ...(job.backend ? { backend: job.backend } : {}) };
  switch (job.status) {
    case 'queued':
      return job.attempts > 0 ? { ...base, stage: 'retrying', percent: 0 } : { ...base, position: Math.max(1, position), percent: 0, ...(eta ? { eta } : {}) };
    case 'running': {
      // Claimed ahead of a box still busy with the job before: next in line, not started.
      if (job.stage === 'ready') return { ...base, stage: 'queued', position: 1, percent: 0, ...(eta ? { eta } : {}) };
      const match = STEP_STAGE.exec(job.stage);
      if (match) return { ...base, stage: 'running', activity: match[1]!, step: Number(match[2]), totalSteps: Number(match[3]) };
      return { ...base, stage: job.stage === 'saving' ? 'saving' : 'starting' };
    }
    case 'completed': {
      const durationMs = job.finishedAt && job.startedAt ? job.finishedAt.getTime() - job.startedAt.getTime() : 0;
      const qualityNote = qualityNoteOf(job.qualityProblems);
      return { ...base, stage: 'completed', percent: 100, outputs: outputsOf(assets), seed: job.seed, durationMs, ...(qualityNote ? { qualityNote } : {}) };
    }
    case 'failed':
      return { ...base, stage: 'failed', error: { code: job.errorCode ?? 'internal', details: readDetails(job.errorDetails), ...(job.errorRef ? { ref: job.errorRef } : {}) } };
    case 'cancelled':
      return { ...base, stage: 'cancelled', cancelledBy: 'user' };
  }
}

/** A job's recorded error details: a JSON object of strings and numbers (see worker job-store). */
export function readDetails(stored: string | null): Record<string, string | number> {
  if (!stored) return {};
  try {
    const parsed: unknown = JSON.parse(stored);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number'));
  } catch {
    // Older rows kept prose here; it is not shown any more.
    return {};
  }
}

/**
 * The message after one event. Rules: a final state never changes; a place in line never takes a
 * started job back to "queued"; a worker event older than the newest applied is ignored (duplicates
 * and stragglers); a final event wins over whatever is still in flight.
 */
export function apply(message: JobMessage, event: JobEvent): JobMessage {
  if (event.jobId !== message.job.jobId || isFinal(message)) return message;
  const stale = event.at < message.at;
  switch (event.type) {
    case 'queued': {
      if (message.stage !== 'queued') return message;
      const position = Math.max(1, event.position);
      const eta = event.eta && etaIsNews(message.eta, event.eta, event.at) ? event.eta : message.eta;
      if (position === message.position && eta === message.eta) return message;
      return { ...message, position, ...(eta ? { eta } : {}) };
    }
    case 'started':
      if (stale || ((message.stage === 'running' || message.stage === 'saving') && event.at === message.at)) return message;
      return { ...clearProgress(message), stage: 'starting', backend: event.backend, at: event.at };
    case 'progress':
      if (stale || message.stage === 'saving') return message;
      return { ...message, stage: 'running', step: event.step, totalSteps: event.totalSteps, percent: event.percent, activity: event.stage, position: undefined, eta: undefined, at: event.at };
    case 'saving':
      if (stale) return message;
      // Rendering is over and the worker removed the preview with it.
      return { ...withoutPreview(message), stage: 'saving', percent: event.percent, position: undefined, eta: undefined, at: event.at };
    case 'preview':
      // Only while it renders, only newer than the one shown; an older attempt's straggler is stale.
      if (stale || (message.stage !== 'starting' && message.stage !== 'running') || event.seq <= (message.preview?.seq ?? 0)) return message;
      return { ...message, preview: { seq: event.seq } };
    case 'failed':
      if (event.willRetry) return stale ? message : { ...clearProgress(message), stage: 'retrying', at: event.at };
      return { ...withoutPreview(message), stage: 'failed', error: { code: event.code, details: event.details, ...(event.ref ? { ref: event.ref } : {}) }, at: Math.max(message.at, event.at) };
    case 'completed': {
      const qualityNote = qualityNoteOf(event.quality?.problems);
      return {
        ...withoutPreview(message),
        ...(qualityNote ? { qualityNote } : {}),
        stage: 'completed',
        percent: 100,
        outputs: outputsOfEvent(event.assets),
        seed: event.seed,
        durationMs: event.durationMs,
        backend: event.backend,
        at: Math.max(message.at, event.at),
      };
    }
    case 'retrying':
      return stale ? message : { ...clearProgress(message), stage: 'retrying', retryReason: event.reason, at: event.at };
    case 'cancelled':
      return { ...withoutPreview(message), stage: 'cancelled', cancelledBy: event.by, at: Math.max(message.at, event.at) };
  }
}

/**
 * A final state as shown: the record's facts (files with storage keys, the recorded error), plus
 * what only the event knew (who cancelled). A record that has not ended yet defers to the event.
 */
export function settle(fromEvents: JobMessage, recorded: JobMessage | undefined): JobMessage {
  if (!recorded || !isFinal(recorded)) return fromEvents;
  if (recorded.stage === 'cancelled' && fromEvents.stage === 'cancelled' && fromEvents.cancelledBy) return { ...recorded, cancelledBy: fromEvents.cancelledBy };
  return recorded;
}

/** Estimates that moved by less than this, or by less than this share of the wait left, are not worth an edit. */
const ETA_STEADY_MS = 5_000;
const ETA_STEADY_SHARE = 0.1;

/** Whether a new estimate says something the shown one does not: "about" became measured, or a time moved noticeably. */
function etaIsNews(shown: Eta | undefined, next: Eta, now: number): boolean {
  if (!shown || shown.approximate !== next.approximate) return true;
  const moved = Math.max(Math.abs(next.startsAt - shown.startsAt), Math.abs(next.finishesAt - shown.finishesAt));
  return moved >= Math.max(ETA_STEADY_MS, ETA_STEADY_SHARE * (next.startsAt - now));
}

function clearProgress(message: JobMessage): JobMessage {
  const { step: _step, totalSteps: _total, activity: _activity, position: _position, eta: _eta, preview: _preview, ...rest } = message;
  return { ...rest, percent: 0 };
}

/** A final state shows the result, never the picture it was on the way. */
function withoutPreview(message: JobMessage): JobMessage {
  const { preview: _preview, ...rest } = message;
  return rest;
}
