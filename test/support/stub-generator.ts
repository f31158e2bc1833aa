import sharp from 'sharp';
import { JobCancelledError } from '../../src/core/errors.js';
import type { GenerateOptions, GeneratedFile, GenerationInput, Generator } from '../../src/core/generator.js';

/**
 * A backend that answers at once with a tiny real PNG: for measuring and testing the path around
 * generation (queue, records, media, events) without the renderer's cost.
 */
export async function createStubGenerator(onStart?: (input: GenerationInput) => void): Promise<Generator> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 80, b: 140 } } }).png().toBuffer();
  return {
    name: 'stub',
    async generate(input: GenerationInput, options: GenerateOptions): Promise<GeneratedFile[]> {
      if (options.signal.aborted) throw new JobCancelledError();
      options.onBackendWork?.('started');
      onStart?.(input);
      options.onProgress({ step: 1, totalSteps: 1, stage: 'stub' });
      return Array.from({ length: input.count }, () => ({ kind: 'image' as const, mime: 'image/png', data: png }));
    },
  };
}
