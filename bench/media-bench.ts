import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { GeneratedFile } from '../src/core/generator.js';
import { createBuiltinGenerator } from '../src/worker/backends/builtin/index.js';
import { processOutput } from '../src/worker/media/process-output.js';
import { summarize } from './stats.js';

/**
 * The media step on a real-size output: the built-in renderer's 1024x1024 PNG turned into the WebP
 * and the thumbnail we keep (processOutput, as the worker runs it), one output at a time, beside
 * sharp's bare WebP encode of the same picture at the same quality. The two alternate in the same
 * loop, so machine noise lands on both.
 */
const SAMPLES = Number(process.env.BENCH_MEDIA_SAMPLES ?? 60);
const WARM_UP = 5;
/** The quality processOutput encodes at (its WEBP_QUALITY), so the baseline does the same work. */
const WEBP_QUALITY = 90;

export interface MediaFigures {
  step: { p50: number; p99: number };
  bareWebp: { p50: number; p99: number };
  samples: number;
  pngBytes: number;
}

async function renderPng(): Promise<GeneratedFile> {
  const [file] = await createBuiltinGenerator().generate(
    { jobId: '00000000-0000-4000-8000-000000000002', kind: 'image', prompt: 'a girl with silver hair under cherry blossoms at night, city lights', negativePrompt: '', width: 1024, height: 1024, seed: 4321, steps: 8, count: 1 },
    { signal: new AbortController().signal, onProgress: () => undefined },
  );
  if (!file) throw new Error('the built-in renderer returned no file');
  return file;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

export async function benchMedia(): Promise<MediaFigures> {
  const file = await renderPng();
  const bare = () => sharp(file.data, { pages: 1 }).webp({ quality: WEBP_QUALITY }).toBuffer();
  const step = () => processOutput(file);
  for (let i = 0; i < WARM_UP; i++) {
    await step();
    await bare();
  }
  const steps: number[] = [];
  const bares: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    steps.push(await timed(step));
    bares.push(await timed(bare));
  }
  const s = summarize(steps);
  const b = summarize(bares);
  return { step: { p50: s.p50, p99: s.p99 }, bareWebp: { p50: b.p50, p99: b.p99 }, samples: SAMPLES, pngBytes: file.data.length };
}
