import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { describe, expect, test } from 'vitest';
import { GenerationError } from '../../src/core/errors.js';
import type { GeneratedFile } from '../../src/core/generator.js';
import { createBuiltinGenerator } from '../../src/worker/backends/builtin/index.js';
import { processOutput } from '../../src/worker/media/process-output.js';
import { assessQuality } from '../../src/worker/media/quality.js';
import { sniffFormat } from '../../src/worker/media/sniff-format.js';
import { contractInput } from '../contract/generator-contract.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function rendered(overrides: Parameters<typeof contractInput>[0] = {}): Promise<GeneratedFile> {
  const [file] = await createBuiltinGenerator().generate(contractInput({ width: 512, height: 384, ...overrides }), {
    signal: new AbortController().signal,
    onProgress: () => undefined,
  });
  return file!;
}

function flat(width: number, height: number, colour: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
}

describe('processOutput', () => {
  test('keeps the PNG original and adds a WebP and a thumbnail, each with its size and hash', async () => {
    const file = await rendered();
    const out = await processOutput(file);
    expect(out.original.data.equals(file.data)).toBe(true);
    expect(out.original).toMatchObject({ mime: 'image/png', ext: 'png', width: 512, height: 384, bytes: file.data.length });
    expect(out.webp).toMatchObject({ mime: 'image/webp', ext: 'webp', width: 512, height: 384 });
    expect(out.thumbnail).toMatchObject({ mime: 'image/webp', ext: 'webp', width: 256, height: 192 });
    for (const part of [out.original, out.webp!, out.thumbnail]) {
      expect(part.sha256).toBe(sha256(part.data));
      expect(part.bytes).toBe(part.data.length);
      const meta = await sharp(part.data).metadata();
      expect([meta.width, meta.height]).toEqual([part.width, part.height]);
    }
    expect((await sharp(out.webp!.data).metadata()).format).toBe('webp');
  });

  test('fits tall pictures inside 256 and never enlarges small ones', async () => {
    const tall = await processOutput({ kind: 'image', mime: 'image/png', data: await flat(300, 900, { r: 10, g: 20, b: 30 }) });
    expect(tall.thumbnail.height).toBe(256);
    expect(tall.thumbnail.width).toBeLessThanOrEqual(256);
    const small = await processOutput({ kind: 'image', mime: 'image/png', data: await flat(100, 80, { r: 10, g: 20, b: 30 }) });
    expect([small.thumbnail.width, small.thumbnail.height]).toEqual([100, 80]);
  });

  test('a video keeps its animated WebP as the original and gets a still thumbnail', async () => {
    const clip = await rendered({ kind: 'video', width: 128, height: 96, steps: 4 });
    const out = await processOutput(clip);
    expect(out.original).toMatchObject({ mime: 'image/webp', ext: 'webp', width: 128, height: 96 });
    expect(out.original.data.equals(clip.data)).toBe(true);
    expect((await sharp(out.webp!.data, { animated: true }).metadata()).pages).toBeGreaterThan(1);
    expect(out.webp).toMatchObject({ width: 128, height: 96 });
    const thumb = await sharp(out.thumbnail.data).metadata();
    expect(thumb.pages ?? 1).toBe(1);
    expect([thumb.width, thumb.height]).toEqual([128, 96]);
  });

  test('bytes no decoder reads become a retryable GenerationError', async () => {
    const run = processOutput({ kind: 'image', mime: 'image/png', data: Buffer.from('not an image') });
    await expect(run).rejects.toBeInstanceOf(GenerationError);
    await expect(run).rejects.toMatchObject({ code: 'unreadable_output', retry: 'backoff' });
  });

  test('a PNG signature over broken bytes is unreadable too (the format comes from the bytes, the decode must still succeed)', async () => {
    const good = await flat(32, 32, { r: 1, g: 2, b: 3 });
    const broken = Buffer.concat([good.subarray(0, 16), Buffer.alloc(64, 0x41)]);
    await expect(processOutput({ kind: 'image', mime: 'image/png', data: broken })).rejects.toMatchObject({ code: 'unreadable_output' });
  });

  test('keeps a JPEG or GIF original under its own type, whatever the backend called it', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 24, channels: 3, background: { r: 9, g: 99, b: 199 } } }).jpeg().toBuffer();
    const fromJpeg = await processOutput({ kind: 'image', mime: 'image/png', data: jpeg });
    expect(fromJpeg.original).toMatchObject({ mime: 'image/jpeg', ext: 'jpg', width: 40, height: 24 });
    expect(fromJpeg.webp).toMatchObject({ mime: 'image/webp', width: 40, height: 24 });
    const gif = await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 200, g: 0, b: 0 } } }).gif().toBuffer();
    expect((await processOutput({ kind: 'image', mime: 'image/gif', data: gif })).original).toMatchObject({ mime: 'image/gif', ext: 'gif', width: 20, height: 10 });
  });
});

describe('sniffFormat', () => {
  test('tells PNG, JPEG, WebP and GIF apart by their first bytes and nothing else', async () => {
    const base = sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 0, g: 0, b: 0 } } });
    expect(sniffFormat(await base.clone().png().toBuffer())?.ext).toBe('png');
    expect(sniffFormat(await base.clone().jpeg().toBuffer())?.ext).toBe('jpg');
    expect(sniffFormat(await base.clone().webp().toBuffer())?.ext).toBe('webp');
    expect(sniffFormat(await base.clone().gif().toBuffer())?.ext).toBe('gif');
    expect(sniffFormat(await base.clone().tiff().toBuffer())).toBeUndefined();
    expect(sniffFormat(Buffer.from('RIFF0000WAVEfmt '))).toBeUndefined();
    expect(sniffFormat(Buffer.from([0x89, 0x50, 0x4e]))).toBeUndefined();
  });
});

describe('assessQuality', () => {
  test('passes a rendered picture', async () => {
    const report = await assessQuality((await rendered()).data, { width: 512, height: 384 });
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.score).toBeGreaterThan(0.5);
  });

  test('flags a blank picture', async () => {
    const report = await assessQuality(await flat(64, 64, { r: 120, g: 130, b: 140 }), { width: 64, height: 64 });
    expect(report.ok).toBe(false);
    expect(report.score).toBe(0);
    expect(report.problems).toEqual(['blank']);
  });

  test('flags almost-all-black and almost-all-white pictures', async () => {
    const nearlyBlack = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#000' } })
      .composite([{ input: { create: { width: 20, height: 1, channels: 3, background: '#fff' } }, left: 0, top: 0 }])
      .png()
      .toBuffer();
    expect((await assessQuality(nearlyBlack)).problems).toEqual(['almost_black']);
    const nearlyWhite = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#fff' } })
      .composite([{ input: { create: { width: 20, height: 1, channels: 3, background: '#000' } }, left: 0, top: 0 }])
      .png()
      .toBuffer();
    expect((await assessQuality(nearlyWhite)).problems).toEqual(['almost_white']);
  });

  test('flags the wrong size, also for formats it only reads the header of', async () => {
    const file = await rendered();
    const report = await assessQuality(file.data, { width: 512, height: 512 });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['wrong_size']);
    const clip = await rendered({ kind: 'video', width: 128, height: 96, steps: 2 });
    expect((await assessQuality(clip.data, { width: 128, height: 96 }, 'video')).ok).toBe(true);
    expect((await assessQuality(clip.data, { width: 96, height: 96 }, 'video')).problems).toEqual(['wrong_size']);
  });

  test('reads PNGs of every common layout the same way sharp does', async () => {
    const source = (await rendered({ width: 64, height: 64 })).data;
    for (const encode of [
      (s: Sharp) => s.png({ palette: true }),
      (s: Sharp) => s.greyscale().png(),
      (s: Sharp) => s.ensureAlpha().png(),
      (s: Sharp) => s.png().toColourspace('rgb16'),
    ]) {
      const data = await encode(sharp(source)).toBuffer();
      expect(await assessQuality(data, { width: 64, height: 64 })).toMatchObject({ ok: true });
    }
  });

  test('reads the pixels of a JPEG or a WebP too, not just a PNG', async () => {
    const source = (await rendered({ width: 64, height: 64 })).data;
    for (const encode of [(s: Sharp) => s.jpeg({ quality: 80 }), (s: Sharp) => s.webp()]) {
      expect(await assessQuality(await encode(sharp(source)).toBuffer(), { width: 64, height: 64 })).toMatchObject({ ok: true, problems: [] });
      const blank = await encode(sharp(await flat(64, 64, { r: 90, g: 90, b: 90 }))).toBuffer();
      expect((await assessQuality(blank, { width: 64, height: 64 })).problems).toEqual(['blank']);
    }
  });

  test('refuses bytes that are not an image', async () => {
    expect(await assessQuality(Buffer.from('hello'))).toEqual({ ok: false, score: 0, problems: ['unreadable'] });
    expect(await assessQuality(Buffer.from('hello'), undefined, 'video')).toEqual({ ok: false, score: 0, problems: ['unreadable'] });
  });
});
