/**
 * The Generator port: the one thing the worker needs from a generation backend.
 * Implementations: the built-in CPU renderer and the ComfyUI client.
 */
export interface LoraSpec {
  name: string;
  weight: number;
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
}

/**
 * The abort reason of a hand-back (worker shutting down): the job will run again elsewhere, so a
 * backend should leave remote work running for the next attempt to find, not cancel it.
 */
export const HAND_BACK_REASON = 'shutdown';

export interface ProgressReport {
  step: number;
  totalSteps: number;
  /** A short stage label: 'sampling', 'decoding', 'loading model', ... */
  stage: string;
}

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
}

export interface Generator {
  /** A stable name recorded with every job ('builtin', 'comfyui'). */
  readonly name: string;
  generate(input: GenerationInput, options: GenerateOptions): Promise<GeneratedFile[]>;
  close?(): Promise<void>;
}
