import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { JobCancelledError } from '../../src/core/errors.js';
import type { GeneratedFile, GenerationInput } from '../../src/core/generator.js';
import { createBuiltinGenerator, describeScene } from '../../src/worker/backends/builtin/index.js';
import { NAMED_COLOURS } from '../../src/worker/backends/builtin/palette.js';
import { contractInput, generatorContract } from '../contract/generator-contract.js';

generatorContract('builtin', async () => ({ generator: createBuiltinGenerator(), cleanup: async () => undefined }));

const generator = createBuiltinGenerator();

async function render(overrides: Partial<GenerationInput>): Promise<GeneratedFile[]> {
  return generator.generate(contractInput({ width: 256, height: 256, ...overrides }), {
    signal: new AbortController().signal,
    onProgress: () => undefined,
  });
}

async function renderOne(overrides: Partial<GenerationInput>): Promise<Buffer> {
  const [file] = await render(overrides);
  return file!.data;
}

async function pixels(data: Buffer): Promise<Buffer> {
  return sharp(data).removeAlpha().raw().toBuffer();
}

async function meanLuminance(data: Buffer): Promise<number> {
  const { channels } = await sharp(data).stats();
  return 0.2126 * channels[0]!.mean + 0.7152 * channels[1]!.mean + 0.0722 * channels[2]!.mean;
}

/** Mean absolute difference per channel value, 0..255. */
async function pixelDistance(a: Buffer, b: Buffer): Promise<number> {
  const [pa, pb] = [await pixels(a), await pixels(b)];
  let total = 0;
  for (let i = 0; i < pa.length; i++) total += Math.abs(pa[i]! - pb[i]!);
  return total / pa.length;
}

async function countNear(data: Buffer, colour: readonly [number, number, number], tolerance: number): Promise<number> {
  const raw = await pixels(data);
  let count = 0;
  for (let i = 0; i < raw.length; i += 3) {
    if (Math.abs(raw[i]! - colour[0]) + Math.abs(raw[i + 1]! - colour[1]) + Math.abs(raw[i + 2]! - colour[2]) <= tolerance) count++;
  }
  return count;
}

describe('built-in renderer', () => {
  test('the same input gives identical bytes', async () => {
    const input = { prompt: 'a girl with pink twintails by the sea at sunset', seed: 99 };
    expect((await renderOne(input)).equals(await renderOne(input))).toBe(true);
  });

  test('different prompts give different pictures, even when only an unrecognised word differs', async () => {
    const beach = await renderOne({ prompt: 'a girl with silver hair at the beach' });
    const forest = await renderOne({ prompt: 'a robot in a snowy forest at night' });
    const [a, b] = [await sharp(beach).stats(), await sharp(forest).stats()];
    const meanGap = a.channels.reduce((sum, c, i) => sum + Math.abs(c.mean - b.channels[i]!.mean), 0);
    expect(meanGap).toBeGreaterThan(30);

    const plain = await renderOne({ prompt: 'a cat in the city' });
    const fluffy = await renderOne({ prompt: 'a fluffy cat in the city' });
    expect(await pixelDistance(plain, fluffy)).toBeGreaterThan(3);
  });

  test('another seed is a visibly different variation of the same prompt', async () => {
    const first = await renderOne({ prompt: 'a girl under cherry blossoms', seed: 1 });
    const second = await renderOne({ prompt: 'a girl under cherry blossoms', seed: 2 });
    expect(await pixelDistance(first, second)).toBeGreaterThan(5);
  });

  test('night is darker than day', async () => {
    const night = await meanLuminance(await renderOne({ prompt: 'a girl in a meadow at night' }));
    const day = await meanLuminance(await renderOne({ prompt: 'a girl in a meadow during the day' }));
    expect(night).toBeLessThan(day - 50);
  });

  test('the named hair colour shows in the picture', async () => {
    const pink = NAMED_COLOURS.pink;
    const pinkHair = await renderOne({ prompt: 'a girl with pink hair in a meadow during the day' });
    const silverHair = await renderOne({ prompt: 'a girl with silver hair in a meadow during the day' });
    const pinkInPink = await countNear(pinkHair, pink, 60);
    const pinkInSilver = await countNear(silverHair, pink, 60);
    expect(pinkInPink).toBeGreaterThan(500);
    expect(pinkInPink).toBeGreaterThan(pinkInSilver * 5);
  });

  test('the picture is not blank', async () => {
    const { channels } = await sharp(await renderOne({ prompt: 'a dragon' })).stats();
    for (const channel of channels.slice(0, 3)) expect(channel.stdev).toBeGreaterThan(20);
  });

  test('count images use seed + i', async () => {
    const files = await render({ prompt: 'a boy in the rain', seed: 10, count: 2 });
    expect(files).toHaveLength(2);
    expect(files[1]!.data.equals(await renderOne({ prompt: 'a boy in the rain', seed: 11 }))).toBe(true);
    expect(files[0]!.data.equals(files[1]!.data)).toBe(false);
  });

  test('video is an animated WebP in which something moves', async () => {
    const [clip] = await render({ kind: 'video', prompt: 'a girl with long hair under falling sakura petals', width: 128, height: 128, steps: 8 });
    expect(clip!.kind).toBe('video');
    expect(clip!.mime).toBe('image/webp');
    const meta = await sharp(clip!.data, { animated: true }).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.pages).toBeGreaterThan(1);
    expect(meta.pageHeight).toBe(128);
    const first = await sharp(clip!.data, { page: 0 }).png().toBuffer();
    const later = await sharp(clip!.data, { page: 3 }).png().toBuffer();
    expect(await pixelDistance(first, later)).toBeGreaterThan(0.5);
  });

  test('abort between passes stops the run promptly', async () => {
    const slow = createBuiltinGenerator({ stepDelayMs: 20 });
    const controller = new AbortController();
    const steps: number[] = [];
    const run = slow.generate(contractInput({ steps: 40 }), {
      signal: controller.signal,
      onProgress: (r) => {
        steps.push(r.step);
        if (r.step === 3) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(JobCancelledError);
    expect(Math.max(...steps)).toBe(3);
  });

  test('reports every step from 0 to totalSteps', async () => {
    const steps: number[] = [];
    await generator.generate(contractInput({ steps: 7 }), { signal: new AbortController().signal, onProgress: (r) => steps.push(r.step) });
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('offers its half-painted canvas as previews every few steps, each further along, never the finished picture', async () => {
    const previews: Buffer[] = [];
    const [file] = await generator.generate(contractInput({ width: 64, height: 96, steps: 10 }), {
      signal: new AbortController().signal,
      onProgress: () => undefined,
      onPreview: (image) => {
        expect(image).toMatchObject({ kind: 'raw', width: 64, height: 96 });
        previews.push(Buffer.from(image.data));
      },
    });
    // Every 2 of 10 steps, the last one left to the result.
    expect(previews).toHaveLength(4);
    const final = await sharp(file!.data).ensureAlpha().raw().toBuffer();
    const differs = (a: Buffer, b: Buffer) => a.reduce((n, v, i) => n + (v === b[i] ? 0 : 1), 0);
    const distances = previews.map((p) => differs(p, final));
    // Painted band by band: each preview is closer to the finished picture than the one before, none is it.
    for (let i = 1; i < distances.length; i++) expect(distances[i]!).toBeLessThan(distances[i - 1]!);
    expect(distances.at(-1)!).toBeGreaterThan(0);
  });
});

describe('scene description', () => {
  test('recognises subject, colours, time and scenery', () => {
    const scene = describeScene({ prompt: 'A girl with silver hair and red eyes in a pink kimono under cherry blossoms at night', negativePrompt: '' });
    expect(scene.subject).toBe('girl');
    expect(scene.timeOfDay).toBe('night');
    expect(scene.appearance).toMatchObject({ hair: 'silver', eyes: 'red', outfit: 'pink' });
    expect(scene.features).toMatchObject({ petals: true, moon: true, stars: true, sea: false });
    expect(scene.recognisedWords).toEqual(expect.arrayContaining(['girl', 'silver', 'red', 'cherry', 'night']));
  });

  test('a character looks the same in any scene: appearance ignores scene words', () => {
    const beach = describeScene({ prompt: 'a girl with blue eyes at the beach', negativePrompt: '' });
    const city = describeScene({ prompt: 'a girl with blue eyes in a snowy city at night', negativePrompt: 'blurry' });
    expect(city.appearance).toEqual(beach.appearance);
    expect(city.promptHash).not.toBe(beach.promptHash);
  });

  test('understands other subjects and styles', () => {
    expect(describeScene({ prompt: 'an orange cat by the ocean at sunset', negativePrompt: '' })).toMatchObject({
      subject: 'cat',
      timeOfDay: 'sunset',
      appearance: { hair: 'orange' },
      features: { sea: true },
    });
    expect(describeScene({ prompt: 'catgirl with blonde twintails', negativePrompt: '' }).appearance).toMatchObject({
      hair: 'blonde',
      hairStyle: 'twintails',
      catEars: true,
    });
    expect(describeScene({ prompt: 'landscape', negativePrompt: '' }).subject).toBeNull();
  });

  test('a feature named in the negative prompt is left out', () => {
    expect(describeScene({ prompt: 'city in the rain', negativePrompt: 'rain' }).features.rain).toBe(false);
  });
});

describe('a reference picture', () => {
  // Pure magenta and a checkerboard: colours no built-in scene paints, so a pixel of them is the picture's.
  const magenta = () => sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 255, g: 0, b: 255 } } }).png().toBuffer();
  const asImage = (data: Buffer) => ({ data, mime: 'image/png', ext: 'png', characterId: null });
  const magentaShare = async (data: Buffer) => {
    const raw = await pixels(data);
    let hits = 0;
    for (let i = 0; i < raw.length; i += 3) if (raw[i]! > 200 && raw[i + 1]! < 60 && raw[i + 2]! > 200) hits++;
    return hits / (raw.length / 3);
  };

  test('is the backdrop it paints over: at strength 1 it shows whole behind the figure, visibly', async () => {
    const plain = await renderOne({ prompt: 'a girl with silver hair' });
    const over = await renderOne({ prompt: 'a girl with silver hair', images: [asImage(await magenta())], strength: 1 });
    expect(over.equals(plain)).toBe(false);
    expect(await magentaShare(plain)).toBe(0);
    // Most of the frame is the picture; the figure is painted on top of it.
    expect(await magentaShare(over)).toBeGreaterThan(0.5);
    expect(await magentaShare(over)).toBeLessThan(1);
  });

  test('strength decides how much shows through: 0.5 tints the scenery, 0 paints it out', async () => {
    const reference = asImage(await magenta());
    const plain = await pixels(await renderOne({ prompt: 'a girl with silver hair' }));
    const half = await pixels(await renderOne({ prompt: 'a girl with silver hair', images: [reference], strength: 0.5 }));
    const none = await pixels(await renderOne({ prompt: 'a girl with silver hair', images: [reference], strength: 0 }));
    // The scenery is opaque everywhere: painted at full cover, nothing of the picture is left.
    expect(none.equals(plain)).toBe(true);
    // The top-left corner is sky in every scene: half strength pulls it towards magenta.
    const corner = (raw: Buffer): [number, number, number] => [raw[0]!, raw[1]!, raw[2]!];
    const [r, g, b] = corner(half);
    const [r0, g0, b0] = corner(plain);
    expect(Math.abs(r - (r0 + 255) / 2)).toBeLessThan(16);
    expect(Math.abs(g - g0 / 2)).toBeLessThan(16);
    expect(Math.abs(b - (b0 + 255) / 2)).toBeLessThan(16);
    expect(corner(none)).toEqual(corner(plain));
  });
});

describe('upscale', () => {
  // A hard-edged picture: a 2x lanczos keeps the edge where it was, and the sharpen keeps it crisp.
  const halves = () =>
    sharp({ create: { width: 64, height: 48, channels: 3, background: '#000000' } })
      .composite([{ input: { create: { width: 32, height: 48, channels: 3, background: '#ffffff' } }, left: 32, top: 0 }])
      .png()
      .toBuffer();

  test('enlarges the picture to the job size (2x) and paints nothing of its own', async () => {
    const source = await halves();
    const [file, ...rest] = await render({ operation: 'upscale', width: 128, height: 96, count: 1, images: [{ data: source, mime: 'image/png', ext: 'png', characterId: null }] });
    expect(rest).toHaveLength(0);
    expect(await sharp(file!.data).metadata()).toMatchObject({ width: 128, height: 96, format: 'png' });
    const raw = await pixels(file!.data);
    const at = (x: number, y: number) => raw[(y * 128 + x) * 3]!;
    expect([at(10, 40), at(118, 40)]).toEqual([0, 255]);
    // Within two pixels of the edge (x = 64) it is already all dark or all light.
    expect(at(61, 40)).toBeLessThan(30);
    expect(at(66, 40)).toBeGreaterThan(225);
    const back = await sharp(file!.data).resize(64, 48).removeAlpha().raw().toBuffer();
    const original = await pixels(source);
    let diff = 0;
    for (let i = 0; i < original.length; i++) diff += Math.abs(original[i]! - back[i]!);
    expect(diff / original.length).toBeLessThan(4);
  });

  test('an upscale without a picture is refused, not painted from the prompt', async () => {
    await expect(render({ operation: 'upscale', width: 128, height: 128 })).rejects.toMatchObject({ code: 'invalid_input', retry: 'never' });
  });
});
