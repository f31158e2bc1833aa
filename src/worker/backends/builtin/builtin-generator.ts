/**
 * The built-in backend: a procedural CPU renderer for trying the service without a GPU. It is not
 * an AI model and loads no model files. It reads the prompt for known words (see scene.ts), paints
 * a small anime-style scene with its own rasterizer and encodes it with sharp.
 *
 * Progress is real: the picture is painted in horizontal bands, and the bands are shared out over
 * `steps` passes, so each reported step is a slice of the actual work; every few steps the canvas as
 * painted so far is offered as a live preview. Output bytes depend only on
 * (prompt, negativePrompt, seed, width, height, steps, kind, count, images, strength).
 *
 * A reference picture (the first of `images`) is the backdrop it paints over: the picture, cropped
 * to the output's size, fills the canvas first, and the painted scenery covers it with opacity
 * 1 - strength, so at strength 1 the picture stays whole behind the figure and at 0 it is painted out.
 * An upscale (`operation`) paints nothing: the picture is enlarged to the job's size (upscale.ts).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { GenerationError, JobCancelledError } from '../../../core/errors.js';
import type { GeneratedFile, GenerateOptions, GenerationInput, Generator } from '../../../core/generator.js';
import { composeScene } from './compose.js';
import { Canvas } from './raster.js';
import type { Shape } from './raster.js';
import { describeScene } from './scene.js';
import { upscalePicture } from './upscale.js';

const BUILTIN_GENERATOR_NAME = 'builtin';
/** Animated outputs: a one-second loop, seamless because every motion is periodic in `time`. */
const VIDEO_FRAMES = 12;
const VIDEO_FRAME_DELAY_MS = 90;
/** The half-painted canvas goes out as a preview about this many times per render (the worker throttles further). */
const PREVIEWS_PER_RENDER = 5;

export interface BuiltinGeneratorOptions {
  /** Extra wait per step to mimic GPU timing in demos and tests; 0 by default. */
  stepDelayMs?: number;
}

export function createBuiltinGenerator(options: BuiltinGeneratorOptions = {}): Generator {
  const stepDelayMs = Math.max(0, options.stepDelayMs ?? 0);
  return {
    name: BUILTIN_GENERATOR_NAME,
    generate: (input, generateOptions) => render(input, generateOptions, stepDelayMs),
  };
}

/** One output being painted: its frames share a buffer stacked vertically, as sharp wants for animation. */
interface Output {
  index: number;
  frames: number;
  pixels: Uint8ClampedArray;
}

async function render(input: GenerationInput, { signal, onProgress, onBackendWork, onPreview }: GenerateOptions, stepDelayMs: number): Promise<GeneratedFile[]> {
  if (signal.aborted) throw new JobCancelledError();
  // The whole render is the backend's work (there is no queue in front of it); it ends when render returns.
  onBackendWork?.('started');
  const picture = input.images?.[0];
  if (input.operation === 'upscale') {
    // Nothing to enlarge is a broken job, not one to paint from its prompt instead.
    if (!picture) throw new GenerationError('invalid_input', {}, 'never');
    onProgress({ step: 0, totalSteps: 1, stage: 'upscaling' });
    const file = await upscalePicture(picture.data, input.width, input.height);
    if (signal.aborted) throw new JobCancelledError();
    onProgress({ step: 1, totalSteps: 1, stage: 'upscaling' });
    return [file];
  }
  const scene = describeScene(input);
  const { width, height } = input;
  const totalSteps = Math.max(1, Math.floor(input.steps));
  const count = Math.max(1, Math.floor(input.count));
  const frames = input.kind === 'video' ? VIDEO_FRAMES : 1;
  // Enough bands that every pass has work, never thinner than one row.
  const bands = Math.min(height, Math.max(1, Math.ceil(totalSteps / (count * frames))));
  const units = count * frames * bands;
  const reference = input.images?.[0];
  const underlay = reference ? await referenceUnderlay(reference.data, width, height) : undefined;
  const backdropOpacity = reference ? 1 - Math.min(1, Math.max(0, input.strength ?? 1)) : 1;
  const previewEvery = Math.max(1, Math.ceil(totalSteps / PREVIEWS_PER_RENDER));

  onProgress({ step: 0, totalSteps, stage: 'rendering' });
  const files: GeneratedFile[] = [];
  let output: Output | undefined;
  let frameShapes: Shape[] = [];
  let canvas: Canvas | undefined;
  let done = 0;
  for (let step = 1; step <= totalSteps; step++) {
    await yieldToEventLoop();
    if (stepDelayMs > 0) await sleep(stepDelayMs);
    if (signal.aborted) throw new JobCancelledError();
    const until = Math.floor((step * units) / totalSteps);
    for (; done < until; done++) {
      const band = done % bands;
      const frame = Math.floor(done / bands) % frames;
      const index = Math.floor(done / (bands * frames));
      if (!output || output.index !== index) {
        output = { index, frames, pixels: new Uint8ClampedArray(width * height * frames * 4).fill(255) };
        if (underlay) for (let f = 0; f < frames; f++) output.pixels.set(underlay, f * underlay.length);
      }
      if (band === 0) {
        frameShapes = composeScene(scene, input.seed + index, width, height, frame / frames, backdropOpacity);
        const frameBytes = width * height * 4;
        canvas = new Canvas(width, height, output.pixels.subarray(frame * frameBytes, (frame + 1) * frameBytes));
      }
      const top = Math.floor((band * height) / bands);
      const bottom = Math.floor(((band + 1) * height) / bands);
      for (const shape of frameShapes) canvas!.draw(shape, top, bottom);
      if (band === bands - 1 && frame === frames - 1) files.push(await encode(output, width, height, input.kind));
    }
    onProgress({ step, totalSteps, stage: 'rendering' });
    // The output being painted, bands done so far over what was under them (its first frame for a clip).
    if (onPreview && output && step % previewEvery === 0 && step < totalSteps) {
      onPreview({ kind: 'raw', width, height, data: Buffer.from(output.pixels.buffer, output.pixels.byteOffset, width * height * 4) });
    }
  }
  return files;
}

/** The reference picture as RGBA pixels of the output's size (cropped to fill, centred). */
async function referenceUnderlay(data: Buffer, width: number, height: number): Promise<Uint8ClampedArray> {
  const raw = await sharp(data, { pages: 1 }).resize(width, height, { fit: 'cover', position: 'centre' }).removeAlpha().ensureAlpha(1).raw().toBuffer();
  return new Uint8ClampedArray(raw.buffer, raw.byteOffset, raw.byteLength);
}

async function encode(output: Output, width: number, height: number, kind: GenerationInput['kind']): Promise<GeneratedFile> {
  const raw = Buffer.from(output.pixels.buffer, output.pixels.byteOffset, output.pixels.byteLength);
  if (kind === 'video') {
    const data = await sharp(raw, { raw: { width, height: height * output.frames, channels: 4, pageHeight: height } })
      .webp({ loop: 0, delay: Array.from({ length: output.frames }, () => VIDEO_FRAME_DELAY_MS), quality: 88 })
      .toBuffer();
    return { kind: 'video', mime: 'image/webp', data };
  }
  // Every pixel is opaque, so dropping alpha makes the PNG smaller without losing anything.
  const data = await sharp(raw, { raw: { width, height, channels: 4 } }).removeAlpha().png().toBuffer();
  return { kind: 'image', mime: 'image/png', data };
}
