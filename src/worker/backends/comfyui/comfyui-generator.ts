import { GenerationError, JobCancelledError } from '../../../core/errors.js';
import type { GeneratedFile, GenerateOptions, GenerationInput, Generator } from '../../../core/generator.js';
import { ComfyUiHttp } from './client.js';
import { PromptRun, type RunLogger } from './prompt-run.js';
import type { PreviewFrame } from './socket.js';
import type { ModelOffer } from '../../../shared/model-offers.js';
import { offerFor, setCheckpoint } from './model-choice.js';
import { applyGenerationInput, loadWorkflowTemplate } from './workflow.js';

export interface ComfyUiGeneratorOptions {
  /** e.g. http://gpu-box:8188 (credentials in the URL become a Basic header). */
  baseUrl: string;
  /** Folder holding API-format templates, e.g. ./workflows. */
  workflowsDir: string;
  /** Template used for image jobs, e.g. 'txt2img'. */
  workflow: string;
  /** Template used for video jobs; defaults to 'video'. */
  videoWorkflow?: string;
  /** The models users may pick (COMFYUI_MODELS); absent: every job runs the template as it stands. */
  models?: readonly ModelOffer[];
  /** Whole-run limit, queue wait included. */
  timeoutMs: number;
  fetchImpl?: typeof fetch;
  /** History polling interval while the websocket is down (default 1000 ms). */
  pollIntervalMs?: number;
  /** Ask for type-4 preview frames that say which prompt and node they belong to (default true). */
  previewMetadata?: boolean;
  onPreview?: (preview: PreviewFrame) => void;
  logger?: RunLogger;
}

export interface ComfyUiGenerator extends Generator {
  close(): Promise<void>;
}

const silentLogger: RunLogger = { warn: () => undefined };

export function createComfyUiGenerator(options: ComfyUiGeneratorOptions): ComfyUiGenerator {
  const http = new ComfyUiHttp(options.baseUrl, options.fetchImpl ?? fetch);
  const active = new Set<PromptRun>();
  let closed = false;

  return {
    name: 'comfyui',
    async generate(input: GenerationInput, { signal, onProgress, onBackendWork }: GenerateOptions): Promise<GeneratedFile[]> {
      if (signal.aborted) throw new JobCancelledError();
      if (closed) throw new GenerationError('backend_closed', {}, 'backoff');
      const offer = options.models ? offerFor(options.models, input.model) : undefined;
      // A whole-template model replaces the image template; video jobs keep theirs (the frame count is the template's).
      const templateName = input.kind === 'video' ? (options.videoWorkflow ?? 'video') : (offer?.template ?? options.workflow);
      // Read per job so an operator can edit a template without restarting the worker.
      const template = await loadWorkflowTemplate(options.workflowsDir, templateName);
      const { workflow, roles } = applyGenerationInput(template, input);
      // A video template names its own video model (a Wan UNet is no image checkpoint): offers choose image models.
      if (offer?.checkpoint && input.kind === 'image') setCheckpoint(workflow, offer.checkpoint);
      const run = new PromptRun(
        {
          http,
          timeoutMs: options.timeoutMs,
          pollIntervalMs: options.pollIntervalMs ?? 1_000,
          previewMetadata: options.previewMetadata ?? true,
          logger: options.logger ?? silentLogger,
          ...(options.onPreview ? { onPreview: options.onPreview } : {}),
        },
        input,
        workflow,
        roles,
        onProgress,
        onBackendWork,
      );
      active.add(run);
      try {
        return await run.execute(signal);
      } finally {
        active.delete(run);
      }
    },
    async close(): Promise<void> {
      closed = true;
      for (const run of active) run.abandon();
    },
  };
}
