import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { processOutput } from '../../src/worker/media/process-output.js';
import { haveChromium, launchChromium } from '../support/browser.js';

const GALLERY_CSS = readFileSync(new URL('../../src/web/gallery/gallery.css', import.meta.url), 'utf8');

/** A portrait picture, like the built-in renderer's, whose only figure stands near the bottom edge. */
const PICTURE = { width: 512, height: 768 };
const FIGURE = { left: 196, top: 650, width: 120, height: 90 };
const BACKGROUND = { r: 16, g: 16, b: 32 };
const PINK = { r: 250, g: 80, b: 180 };

async function portraitWithFigureAtTheBottom(): Promise<Buffer> {
  const figure = await sharp({ create: { width: FIGURE.width, height: FIGURE.height, channels: 3, background: PINK } }).png().toBuffer();
  return sharp({ create: { ...PICTURE, channels: 3, background: BACKGROUND } })
    .composite([{ input: figure, left: FIGURE.left, top: FIGURE.top }])
    .png()
    .toBuffer();
}

/** The bounding box of the figure's pink pixels in an image (null when none is visible). */
async function figureBox(image: Buffer): Promise<{ pixels: number; left: number; top: number; right: number; bottom: number; width: number; height: number } | null> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let pixels = 0;
  let left = Infinity, top = Infinity, right = -1, bottom = -1;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * 3;
      if (data[i]! > 200 && data[i + 1]! < 140 && data[i + 2]! > 130) {
        pixels++;
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  return pixels === 0 ? null : { pixels, left, top, right, bottom, width: info.width, height: info.height };
}

let browser: Browser;

beforeAll(async () => {
  if (haveChromium) browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!haveChromium)('gallery tiles', () => {
  test('a figure at the bottom of a portrait picture stays whole in its gallery tile', async () => {
    const picture = await portraitWithFigureAtTheBottom();
    // The picture really is one a centre square crop loses, so this test can tell the difference.
    expect(await figureBox(await sharp(picture).resize(256, 256, { fit: 'cover', position: 'centre' }).png().toBuffer())).toBeNull();

    const { thumbnail } = await processOutput({ kind: 'image', mime: 'image/png', data: picture });
    const page = await browser.newPage({ viewport: { width: 400, height: 400 } });
    try {
      const src = `data:${thumbnail.mime};base64,${thumbnail.data.toString('base64')}`;
      // The grid's own markup and stylesheet, as the gallery page serves them.
      await page.setContent(`<style>${GALLERY_CSS}</style><main><ul class="grid"><li class="tile"><a href="#"><img src="${src}" alt="" width="256" height="256"></a></li></ul></main>`);
      await page.waitForFunction("document.querySelector('.tile img').complete");
      const box = await figureBox(await page.locator('.tile img').screenshot());

      expect(box, 'the figure is visible in the tile').not.toBeNull();
      // Whole: not cut by the tile's bottom edge, and still as wide for its height as it was drawn.
      expect(box!.bottom).toBeLessThan(box!.height - 2);
      const drawnAspect = FIGURE.width / FIGURE.height;
      const shownAspect = (box!.right - box!.left + 1) / (box!.bottom - box!.top + 1);
      expect(Math.abs(shownAspect - drawnAspect) / drawnAspect).toBeLessThan(0.1);
    } finally {
      await page.close();
    }
  });
});
