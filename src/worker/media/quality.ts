/**
 * The quality check the old system lacked: flags outputs that are blank, nearly all black or white,
 * or not the size that was asked for. A function of the bytes and the expected size.
 *
 * Pixels come from sharp's raw output (8-bit sRGB, alpha dropped; an animation's first frame), off
 * the main thread: bench/png-decode-bench.ts measured the hand-written PNG decoder it replaces at
 * 4-12x slower, all of it holding the event loop.
 */
import sharp from 'sharp';

interface DecodedPixels {
  width: number;
  height: number;
  /** 8-bit RGB, three bytes per pixel. */
  rgb: Uint8Array;
}

export interface QualityReport {
  ok: boolean;
  /** 0 (unusable) .. 1 (no problem found). */
  score: number;
  problems: string[];
}

export interface ExpectedSize {
  width: number;
  height: number;
}

/** Luminance spread below which a picture reads as one flat colour. */
const BLANK_STDDEV = 4;
/** Share of near-black (or near-white) pixels above which the picture is "almost all" that. */
const EXTREME_SHARE = 0.97;
/** Enough samples for stable statistics without reading every pixel of a 2048² image. */
const MAX_SAMPLES = 65_536;

export async function assessQuality(data: Buffer, expected?: ExpectedSize): Promise<QualityReport> {
  const pixels = await decodePixels(data);
  if (!pixels) return { ok: false, score: 0, problems: ['unreadable image'] };
  return assessPixels(pixels, expected);
}

/** Any format sharp reads, as 8-bit RGB; undefined when the bytes are no image it can decode. */
async function decodePixels(data: Buffer): Promise<DecodedPixels | undefined> {
  try {
    const { data: rgb, info } = await sharp(data, { pages: 1 })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return undefined;
    return { width: info.width, height: info.height, rgb };
  } catch {
    return undefined;
  }
}

/** The statistics part: a sample of the pixels' luminance. */
function assessPixels(pixels: DecodedPixels, expected?: ExpectedSize): QualityReport {
  const { width, height, rgb } = pixels;
  const total = width * height;
  const step = Math.max(1, Math.floor(total / MAX_SAMPLES));
  let count = 0;
  let sum = 0;
  let sumSquares = 0;
  let dark = 0;
  let bright = 0;
  for (let i = 0; i < total; i += step) {
    const luminance = 0.2126 * rgb[i * 3]! + 0.7152 * rgb[i * 3 + 1]! + 0.0722 * rgb[i * 3 + 2]!;
    sum += luminance;
    sumSquares += luminance * luminance;
    if (luminance < 16) dark++;
    if (luminance > 240) bright++;
    count++;
  }
  const mean = sum / count;
  const stddev = Math.sqrt(Math.max(0, sumSquares / count - mean * mean));
  const problems: string[] = [];
  // Contrast earns the score: a lively picture has a luminance spread of 40 or more.
  let score = Math.min(1, stddev / 40);
  if (stddev < BLANK_STDDEV) {
    problems.push(`blank image: one flat colour (luminance spread ${stddev.toFixed(1)})`);
    score = 0;
  } else if (dark / count > EXTREME_SHARE) {
    problems.push('almost all black');
    score *= 0.2;
  } else if (bright / count > EXTREME_SHARE) {
    problems.push('almost all white');
    score *= 0.2;
  }
  return checkSize({ width, height }, expected, score, problems);
}

function checkSize(actual: ExpectedSize, expected: ExpectedSize | undefined, score: number, problems: string[]): QualityReport {
  if (expected && (actual.width !== expected.width || actual.height !== expected.height)) {
    problems.push(`wrong size: ${actual.width}x${actual.height} instead of ${expected.width}x${expected.height}`);
    score *= 0.5;
  }
  return { ok: problems.length === 0, score: Math.round(score * 1000) / 1000, problems };
}
