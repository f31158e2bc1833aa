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
  /** The offered model's id (COMFYUI_MODELS); the backend maps it to a checkpoint or template. */
  model?: string;
}

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
  signal: AbortSignal;
  onProgress(report: ProgressReport): void;
}

export interface Generator {
  /** A stable name recorded with every job ('builtin', 'comfyui'). */
  readonly name: string;
  generate(input: GenerationInput, options: GenerateOptions): Promise<GeneratedFile[]>;
  close?(): Promise<void>;
}
