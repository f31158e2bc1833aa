import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { createBuiltinGenerator } from '../src/worker/backends/builtin/index.js';
import { median } from './stats.js';

/**
 * The quality check's pixel read (sharp's raw output), on the built-in renderer's own PNGs.
 * Run alone: `npx tsx bench/png-decode-bench.ts` (not in npm test). Prints, per size and per run,
 * the median wall time of one decode and how long the event loop is held (sharp decodes on libuv's
 * pool). The hand-written decoder it replaced was measured by this script at commit f91d952
 * (figures in docs/benchmarks.md).
 */
const RUNS = 3;
const DECODES = 20;

async function render(width: number, height: number): Promise<Buffer> {
  const [file] = await createBuiltinGenerator().generate(
    { jobId: '00000000-0000-4000-8000-000000000001', kind: 'image', prompt: 'a girl with silver hair under cherry blossoms at night', negativePrompt: '', width, height, seed: 1234, steps: 6, count: 1 },
    { signal: new AbortController().signal, onProgress: () => undefined },
  );
  return file!.data;
}

async function sharpRaw(data: Buffer): Promise<number> {
  const { info } = await sharp(data, { pages: 1 }).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return info.width;
}

async function time(decode: (data: Buffer) => unknown, data: Buffer): Promise<{ wall: number; held: number }> {
  const walls: number[] = [];
  const helds: number[] = [];
  for (let i = 0; i < DECODES; i++) {
    const start = performance.now();
    const pending = decode(data);
    helds.push(performance.now() - start);
    await pending;
    walls.push(performance.now() - start);
  }
  return { wall: median(walls), held: median(helds) };
}

async function main(): Promise<void> {
  process.stdout.write(`png decode bench — node ${process.version}, sharp ${sharp.versions.sharp}, ${DECODES} decodes a run, medians\n`);
  for (const [width, height] of [[512, 768], [1024, 1024], [2048, 2048]] as const) {
    const data = await render(width, height);
    await time(sharpRaw, data);
    for (let run = 1; run <= RUNS; run++) {
      const lib = await time(sharpRaw, data);
      process.stdout.write(`${`${width}x${height}`.padEnd(10)} run ${run}   sharp raw ${lib.wall.toFixed(2).padStart(7)} ms (loop held ${lib.held.toFixed(2)} ms)\n`);
    }
  }
}

await main();
