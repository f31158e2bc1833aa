import { createBuiltinGenerator } from '../../src/worker/backends/builtin/index.js';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { processOutput } from '../../src/worker/media/process-output.js';
import { assessQuality } from '../../src/worker/media/quality.js';
import { sniffFormat } from '../../src/worker/media/sniff-format.js';
import { renderAnimated, renderMp4, renderPng } from '../fakes/comfyui/media.js';

/** An animated WebP of `frames` copies of one picture: a clip that does not move. */
async function stillAnimation(width: number, height: number, frames: number): Promise<Buffer> {
  const png = await renderPng(width, height, 7, 0);
  return sharp(Array.from({ length: frames }, () => png), { join: { animated: true } }).webp({ loop: 0, delay: Array.from({ length: frames }, () => 100) }).toBuffer();
}

describe('the quality check reads a clip frame by frame', () => {
  test('a moving animation passes; the same frames standing still fail with no_motion', async () => {
    const moving = await renderAnimated(96, 64, 8, 3, 'webp', 8);
    expect(await assessQuality(moving, { width: 96, height: 64 }, 'video')).toMatchObject({ ok: true, problems: [] });
    const still = await stillAnimation(96, 64, 8);
    const report = await assessQuality(still, { width: 96, height: 64 }, 'video');
    expect(report).toMatchObject({ ok: false, problems: ['no_motion'] });
    expect(report.score).toBeLessThan(0.5);
    // The same still file sent as an image is judged as a picture: motion is not asked of it.
    expect(await assessQuality(still, { width: 96, height: 64 }, 'image')).toMatchObject({ ok: true });
  });

  test('a clip of black frames is blank and still; a wrong size is found from the frames, not a header', async () => {
    const black = await renderAnimated(64, 64, 6, 1, 'gif', 8, true);
    expect((await assessQuality(black, { width: 64, height: 64 }, 'video')).problems).toEqual(['blank', 'no_motion']);
    const moving = await renderAnimated(64, 48, 6, 1, 'gif', 8);
    expect((await assessQuality(moving, { width: 64, height: 64 }, 'video')).problems).toEqual(['wrong_size']);
  });

  test('an MP4 is decoded by ffmpeg: a moving one passes, a still one fails with no_motion, a black one is blank', async () => {
    const moving = await renderMp4(96, 64, 12, 5, 8);
    expect(sniffFormat(moving)).toEqual({ ext: 'mp4', mime: 'video/mp4' });
    expect(await assessQuality(moving, { width: 96, height: 64 }, 'video')).toMatchObject({ ok: true, problems: [] });
    expect((await assessQuality(moving, { width: 128, height: 64 }, 'video')).problems).toEqual(['wrong_size']);
    expect((await assessQuality(await renderMp4(96, 64, 12, 5, 8, { still: true }), { width: 96, height: 64 }, 'video')).problems).toEqual(['no_motion']);
    expect((await assessQuality(await renderMp4(96, 64, 12, 5, 8, { black: true }), { width: 96, height: 64 }, 'video')).problems).toEqual(['blank', 'no_motion']);
    // A truncated file is unreadable, not a crash.
    expect((await assessQuality(moving.subarray(0, 200), undefined, 'video')).problems).toEqual(['unreadable']);
  });

  test('an MP4 is kept as made, with its first frame as the poster thumbnail and no WebP', async () => {
    const clip = await renderMp4(320, 240, 10, 9, 8);
    const out = await processOutput({ kind: 'video', mime: 'video/mp4', data: clip });
    expect(out.original).toMatchObject({ mime: 'video/mp4', ext: 'mp4', width: 320, height: 240, bytes: clip.length });
    expect(out.original.data.equals(clip)).toBe(true);
    expect(out.webp).toBeUndefined();
    expect(out.thumbnail).toMatchObject({ mime: 'image/webp', width: 256, height: 192 });
    const poster = await sharp(out.thumbnail.data).metadata();
    expect([poster.format, poster.width, poster.height]).toEqual(['webp', 256, 192]);
  });

  test('HEIC and AVIF share the MP4 box layout and are not taken for video', () => {
    const box = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from(`ftyp${brand}`, 'latin1'), Buffer.alloc(12)]);
    expect(sniffFormat(box('isom'))?.mime).toBe('video/mp4');
    expect(sniffFormat(box('heic'))).toBeUndefined();
    expect(sniffFormat(box('avif'))).toBeUndefined();
  });
});

test("the built-in renderer's clip counts as moving: small petals drifting over a still scene", async () => {
  const generator = createBuiltinGenerator({ stepDelayMs: 0 });
  const input = { jobId: 'motion', kind: 'video' as const, prompt: 'girl, pink long hair, festival at night', negativePrompt: '', width: 512, height: 768, seed: 1234, steps: 3, count: 1, attempt: 1 };
  const [clip] = await generator.generate(input, { signal: new AbortController().signal, onProgress: () => undefined });
  expect(await assessQuality(clip!.data, { width: 512, height: 768 }, 'video')).toMatchObject({ ok: true, problems: [] });
});
