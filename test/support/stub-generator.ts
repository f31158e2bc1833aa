import sharp from 'sharp';
import { JobCancelledError } from '../../src/core/errors.js';
import type { GenerateOptions, GeneratedFile, GenerationInput, Generator } from '../../src/core/generator.js';

/** A diagonal gradient of the asked size: passes the quality check (not blank, the right size). */
function gradientPng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    raw[i * 3] = Math.floor((x * 255) / width);
    raw[i * 3 + 1] = Math.floor((y * 255) / height);
    raw[i * 3 + 2] = 140;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/**
 * A backend that answers at once with a small real PNG of the asked size (one per size, made once):
 * for measuring and testing the path around generation (queue, records, media, events) without
 * the renderer's cost.
 */
export async function createStubGenerator(onStart?: (input: GenerationInput) => void): Promise<Generator> {
  const pngs = new Map<string, Promise<Buffer>>();
  const pngFor = (width: number, height: number): Promise<Buffer> => {
    const key = `${width}x${height}`;
    if (!pngs.has(key)) pngs.set(key, gradientPng(width, height));
    return pngs.get(key)!;
  };
  return {
    name: 'stub',
    async generate(input: GenerationInput, options: GenerateOptions): Promise<GeneratedFile[]> {
      if (options.signal.aborted) throw new JobCancelledError();
      options.onBackendWork?.('started');
      onStart?.(input);
      options.onProgress({ step: 1, totalSteps: 1, stage: 'stub' });
      const png = await pngFor(input.width, input.height);
      return Array.from({ length: input.count }, () => ({ kind: 'image' as const, mime: 'image/png', data: png }));
    },
  };
}
