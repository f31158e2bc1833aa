import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { mergeCharacters } from '../../src/core/characters/merge.js';
import { createBuiltinGenerator, describeScene } from '../../src/worker/backends/builtin/index.js';
import { NAMED_COLOURS, type Rgb } from '../../src/worker/backends/builtin/palette.js';

/**
 * A character is a prompt fragment placed first (see merge.ts). The built-in renderer takes looks
 * only from appearance words, so the same fragment must give the same character whatever the
 * scene prompt and seed: same described appearance, and the same hair and eye colours in pixels.
 */
const AIKO = { id: 'aiko', name: 'Aiko', promptFragment: 'girl, pink long hair, aqua eyes, white kimono', negativeFragment: '', referenceSeed: null, lora: null };
const SCENES = [
  { prompt: 'walking on the beach in the morning', seed: 1 },
  { prompt: 'in a busy city street at noon, blue sky', seed: 42 },
  { prompt: 'under cherry blossoms in a forest during the day', seed: 9001 },
  { prompt: 'a boy with black hair and green eyes in the snowy mountains at midday', seed: 777 },
];

function promptFor(scene: { prompt: string }): string {
  return mergeCharacters({ prompt: scene.prompt, negativePrompt: '', seed: undefined, spaceNegative: '' }, [AIKO]).prompt;
}

const generator = createBuiltinGenerator();
async function render(prompt: string, seed: number): Promise<{ data: Buffer; width: number; height: number }> {
  const [file] = await generator.generate(
    { jobId: 'consistency', kind: 'image', prompt, negativePrompt: '', width: 256, height: 256, seed, steps: 4, count: 1 },
    { signal: new AbortController().signal, onProgress: () => undefined },
  );
  const { data, info } = await sharp(file!.data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const near = (data: Buffer, i: number, colour: Rgb, tolerance: number) =>
  Math.abs(data[i]! - colour[0]) + Math.abs(data[i + 1]! - colour[1]) + Math.abs(data[i + 2]! - colour[2]) <= tolerance;

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Pixels close to a colour (inside a box, when given), and their bounding box. */
function region(image: { data: Buffer; width: number }, colour: Rgb, tolerance: number, within?: Box) {
  let count = 0;
  let top = Infinity;
  let bottom = -1;
  let left = Infinity;
  let right = -1;
  for (let i = 0; i < image.data.length; i += 3) {
    if (!near(image.data, i, colour, tolerance)) continue;
    const x = (i / 3) % image.width;
    const y = Math.floor(i / 3 / image.width);
    if (within && (y < within.top || y > within.bottom || x < within.left || x > within.right)) continue;
    count++;
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
    left = Math.min(left, x);
    right = Math.max(right, x);
  }
  return { count, top, bottom, left, right };
}

describe('the built-in renderer keeps a character recognisable', () => {
  test('the described appearance is identical across scene prompts (and the user cannot repaint it)', () => {
    const looks = SCENES.map((s) => describeScene({ prompt: promptFor(s), negativePrompt: '' }));
    for (const scene of looks) {
      expect(scene.subject).toBe('girl');
      expect(scene.appearance).toEqual(looks[0]!.appearance);
    }
    expect(looks[0]!.appearance).toMatchObject({ hair: 'pink', eyes: 'aqua', outfit: 'white', hairStyle: 'long' });
    // The scenes still differ: only the character is held fixed.
    expect(new Set(looks.map((s) => s.promptHash)).size).toBe(SCENES.length);
  });

  test('hair and eye colours in the pixels match across scenes and seeds, and differ from another character', async () => {
    const hair = NAMED_COLOURS.pink;
    const eyes = NAMED_COLOURS.aqua;
    const counts: Array<{ eyes: number }> = [];
    for (const scene of SCENES) {
      const image = await render(promptFor(scene), scene.seed);
      const hairRegion = region(image, hair, 60);
      expect(hairRegion.count, scene.prompt).toBeGreaterThan(400);
      // The eyes: every aqua pixel of the picture lies inside the hair's bounding box (the head).
      const eyeRegion = region(image, eyes, 60);
      expect(eyeRegion.count, scene.prompt).toBeGreaterThan(10);
      expect(region(image, eyes, 60, hairRegion).count).toBe(eyeRegion.count);
      counts.push({ eyes: eyeRegion.count });
    }
    // Control: another character in the first scene, same seed, has neither colour where her head is.
    const other = await render(`girl, blonde long hair, green eyes, white kimono, ${SCENES[0]!.prompt}`, SCENES[0]!.seed);
    expect(region(other, hair, 60).count).toBeLessThan(40);
    expect(region(other, eyes, 60).count).toBeLessThan(Math.min(...counts.map((c) => c.eyes)) / 3);
  });
});
