/**
 * The Generator port: the one thing the worker needs from a generation backend.
 * Implementations: the built-in CPU renderer and the ComfyUI client.
 */
export interface LoraSpec {
  name: string;
  weight: number;
}

/** A reference picture as the backend receives it (checked and re-encoded at intake). */
export interface ReferenceImage {
  data: Buffer;
  mime: string;
  /** File extension of its bytes ('png', 'jpg', 'webp'). */
  ext: string;
  /** The character it belongs to; null for the requester's own picture (which comes first). */
  characterId: string | null;
}

export interface GenerationInput {
  /** Our job id; backends may use it for correlation, never as a file path. */
  jobId: string;
  kind: 'image' | 'video';
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  seed: number;
  steps: number;
  /** Number of images wanted from this one run. */
  count: number;
  loras?: LoraSpec[];
  /** Which attempt at the job this is (1-based); a backend may use it to tell a retry from a resumed run. */
  attempt?: number;
  /** A video's length in frames; absent: the template's own (its `$frames` input keeps its value). */
  frames?: number;
  /**
   * 1 (or absent): the job's render; 2: the render the quality check asked for, with a new seed,
   * in the same attempt. A backend keeps the two apart (ComfyUI: each has its own prompt ids).
   */
  render?: number;
  /** The offered model's id (COMFYUI_MODELS); the backend maps it to a checkpoint or template. */
  model?: string;
  /** Reference pictures, in order: the requester's own first, then characters'. */
  images?: ReferenceImage[];
  /** How much the pictures shape the result, 0-1 (ComfyUI: `$denoise` = 1 - strength). */
  strength?: number;
  /**
   * 'upscale': no new picture, the first of `images` enlarged to width x height (ComfyUI: the
   * `upscale` template; built-in: lanczos with a light sharpen). Absent: a render from the prompt.
   */
  operation?: 'upscale';
}

/**
 * The abort reason of a hand-back (worker shutting down): the job will run again elsewhere, so a
 * backend should leave remote work running for the next attempt to find, not cancel it.
 */
export const HAND_BACK_REASON = 'shutdown';

/**
 * The abort reason when the backend running the job stopped answering: the attempt counts (it is
 * retried elsewhere with backoff), and like a hand-back the remote work is left alone (nobody
 * answers there to stop it; if the box comes back, the exactly-once lookup keeps it from running twice).
 */
export const BACKEND_DOWN_REASON = 'backend_down';

/**
 * The abort reason of a job let in ahead of a free box when that box stops taking work first: it
 * has sent nothing to the backend (its prompt waits for the box), so there is nothing to stop
 * there, and it goes back to the queue unspent.
 */
export const BOX_WITHDRAWN_REASON = 'box_withdrawn';

/** Whether an abort leaves the backend's work in place rather than stopping it. */
export function leavesRemoteWork(reason: unknown): boolean {
  return reason === HAND_BACK_REASON || reason === BACKEND_DOWN_REASON || reason === BOX_WITHDRAWN_REASON;
}

export interface ProgressReport {
  step: number;
  totalSteps: number;
  /** A short stage label: 'sampling', 'decoding', 'loading model', ... */
  stage: string;
}

/**
 * An in-progress picture of the running prompt: encoded bytes (ComfyUI's JPEG/PNG latent previews)
 * or raw RGBA pixels (the built-in renderer's half-painted canvas). The bytes are only valid during
 * the call: a receiver that keeps them copies them (so a backend can hand over its live buffer).
 */
export type PreviewImage = { kind: 'encoded'; mime: string; data: Buffer } | { kind: 'raw'; width: number; height: number; data: Buffer };

export interface GeneratedFile {
  kind: 'image' | 'video';
  mime: string;
  data: Buffer;
}

export interface GenerateOptions {
  /** Aborted on a user's cancel, or with HAND_BACK_REASON when the worker hands the job back. */
  signal: AbortSignal;
  onProgress(report: ProgressReport): void;
  /**
   * Told when the backend begins working on this prompt (ComfyUI: execution_start, not while it
   * waits in the server's queue; built-in: when rendering starts) and, when the backend knows it,
   * when that work stops (before results are fetched). GPU time is the span between; without a
   * 'stopped' the span ends when generate() settles. Never told: no GPU time.
   */
  onBackendWork?(phase: 'started' | 'stopped'): void;
  /**
   * Told when the backend has finished this prompt well and can take another; what is left is
   * fetching the outputs (the farm sends the next prompt meanwhile). Optional: without it the
   * backend counts as free when generate() settles.
   */
  onBackendFree?(): void;
  /**
   * Told the backend's own request (a ComfyUI workflow) just before it is sent, so the job can
   * offer it for download; awaited. Backends without one (the built-in renderer) never call it.
   */
  onRequestBuilt?(sent: BuiltRequest): Promise<void> | void;
  /** Told each in-progress picture of this job's own prompt, as often as the backend makes them; the receiver throttles. */
  onPreview?(image: PreviewImage): void;
  /**
   * Awaited once the request is ready and just before the backend is asked to work on it (ComfyUI:
   * inputs uploaded, graph built, earlier attempts looked up; then POST /prompt). The farm waits
   * here for its box to be free, so a job is prepared while the box finishes the one before. When
   * it rejects the generator sends nothing and rethrows. Only generators with `preparesAhead` call it.
   */
  beforeBackend?(): Promise<void>;
}

/** A backend request as sent: the template it came from, that template's version, the graph itself. */
export interface BuiltRequest {
  template: string;
  templateVersion: string;
  workflow: unknown;
}

export interface Generator {
  /** A stable name recorded with every job ('builtin', 'comfyui'). */
  readonly name: string;
  /** True when generate() awaits options.beforeBackend itself; otherwise the caller waits for the box before calling it. */
  readonly preparesAhead?: boolean;
  generate(input: GenerationInput, options: GenerateOptions): Promise<GeneratedFile[]>;
  close?(): Promise<void>;
}
