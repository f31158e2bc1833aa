import { GenerationError, JobCancelledError } from '../../../core/errors.js';
import type { GeneratedFile, GenerateOptions, GenerationInput, Generator } from '../../../core/generator.js';
import { ComfyUiHttp } from './client.js';
import { PromptRun, type RunLogger } from './prompt-run.js';
import type { ModelOffer } from '../../../shared/model-offers.js';
import { offerFor, setCheckpoint } from './model-choice.js';
import { applyGenerationInput, imagesTaken, inputImageName, loadVersionedTemplate, UPSCALE_TEMPLATE } from './workflow.js';

export interface ComfyUiGeneratorOptions {
  /** The backend's name, recorded with each attempt (default 'comfyui'). */
  name?: string;
  /** e.g. http://gpu-box:8188 (credentials in the URL become a Basic header). */
  baseUrl: string;
  /** Folder holding API-format templates, e.g. ./workflows. */
  workflowsDir: string;
  /** Template used for image jobs, e.g. 'txt2img'. */
  workflow: string;
  /** Template for image jobs with reference pictures (its `$image` nodes take them); defaults to 'img2img'. */
  imageWorkflow?: string;
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
    name: options.name ?? 'comfyui',
    preparesAhead: true,
    async generate(input: GenerationInput, { signal, onProgress, onBackendWork, onBackendFree, onRequestBuilt, onPreview, beforeBackend }: GenerateOptions): Promise<GeneratedFile[]> {
      if (signal.aborted) throw new JobCancelledError();
      if (closed) throw new GenerationError('backend_closed', {}, 'backoff');
      const offer = options.models ? offerFor(options.models, input.model) : undefined;
      // A whole-template model replaces the image template; video jobs keep theirs (the frame count is the template's).
      const withImages = (input.images?.length ?? 0) > 0;
      const imageTemplate = withImages ? (options.imageWorkflow ?? 'img2img') : options.workflow;
      const templateName =
        input.operation === 'upscale' ? UPSCALE_TEMPLATE : input.kind === 'video' ? (options.videoWorkflow ?? 'video') : (offer?.template ?? imageTemplate);
      // Read per job so an operator can edit a template without restarting the worker.
      const { workflow: template, version } = await loadVersionedTemplate(options.workflowsDir, templateName);
      const { workflow, roles } = applyGenerationInput(template, input);
      // A video template names its own video model (a Wan UNet is no image checkpoint): offers choose image models.
      if (offer?.checkpoint && input.kind === 'image' && input.operation !== 'upscale') setCheckpoint(workflow, offer.checkpoint);
      // The graph exactly as it goes out (prompt text, seed, checkpoint, LoRAs, file prefix: no
      // credentials, those live in the base URL), recorded before it is sent: the record is written
      // while the socket opens and earlier prompts are looked up, and awaited before the POST.
      const recorded = Promise.resolve(onRequestBuilt?.({ template: templateName, templateVersion: version, workflow: structuredClone(workflow) }));
      // Settled whatever the run does, so a run that ends before sending leaves no stray rejection.
      recorded.catch(() => undefined);
      // Into the server's input folder before the prompt that names them; a resumed run sends them
      // again under the same names (cheap, and the prompt may not have been sent yet).
      const images = input.images ?? [];
      for (let index = 0; index < imagesTaken(roles, input); index++) {
        if (signal.aborted) throw new JobCancelledError();
        await http.uploadImage(inputImageName(input.jobId, index, images[index]!.ext), images[index]!.data, images[index]!.mime);
      }
      const run = new PromptRun(
        {
          http,
          timeoutMs: options.timeoutMs,
          pollIntervalMs: options.pollIntervalMs ?? 1_000,
          previewMetadata: options.previewMetadata ?? true,
          logger: options.logger ?? silentLogger,
          ...(onPreview ? { onPreview } : {}),
        },
        input,
        workflow,
        roles,
        onProgress,
        // The record and the farm's box, both before the POST: the record is long written by the time the box frees.
        { onBackendWork, onBackendFree, beforeSubmit: async () => void (await Promise.all([recorded, beforeBackend?.()])) },
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
