/**
 * The quality check the old system lacked: flags outputs that are unreadable, blank, nearly all
 * black or white, not the size that was asked for, or (videos) without motion. A function of the
 * bytes, the kind and the expected size; the worker acts on it (quality-gate.ts).
 *
 * Pixels come from sharp's raw output (8-bit sRGB, alpha dropped) off the main thread:
 * bench/png-decode-bench.ts measured the hand-written PNG decoder it replaces at 4-12x slower.
 * Animations are read frame by frame (a sample of pages), MP4 through ffmpeg (video-frames.ts),
 * so a clip is judged by its frames, not by its header or first frame.
 */
import sharp from 'sharp';
import { QUALITY_PROBLEMS, type QualityProblem } from '../../core/quality.js';
import { sniffFormat } from './sniff-format.js';
import { decodeVideoFrames } from './video-frames.js';

export interface QualityReport {
  ok: boolean;
  /** 0 (unusable) .. 1 (no problem found). */
  score: number;
  problems: QualityProblem[];
}

export interface ExpectedSize {
  width: number;
  height: number;
}

/** One decoded output: its own size, and sampled frames (RGB, each sampleWidth x sampleHeight). */
interface DecodedFrames {
  width: number;
  height: number;
  frames: Uint8Array[];
}

/** Luminance spread below which a picture reads as one flat colour. */
const BLANK_STDDEV = 4;
/** Share of near-black (or near-white) pixels above which the picture is "almost all" that. */
const EXTREME_SHARE = 0.97;
/** Enough samples for stable statistics without reading every pixel of a 2048² image. */
const MAX_SAMPLES = 65_536;
/** Frames are scaled into this box before the statistics: the same verdicts, a fraction of the work. */
const SAMPLE_BOX = 256;
/** Animation pages read, spread over the clip. */
const MAX_PAGES = 8;
/**
 * Mean absolute luminance change between sampled frames (0-255) below which a clip does not move.
 * A still encoded as MP4 measures about 0.1-0.3 (encoder noise); a colour ramp is above 2, but the
 * built-in renderer's drifting petals stay below 1, so a clip also moves when enough pixels moved.
 */
const MOTION_THRESHOLD = 1;

export async function assessQuality(data: Buffer, expected?: ExpectedSize, kind: 'image' | 'video' = 'image'): Promise<QualityReport> {
  const decoded = await decode(data, kind);
  if (!decoded) return { ok: false, score: 0, problems: ['unreadable'] };
  return assessFrames(decoded, expected, kind);
}

async function decode(data: Buffer, kind: 'image' | 'video'): Promise<DecodedFrames | undefined> {
  if (sniffFormat(data)?.ext === 'mp4') {
    const video = await decodeVideoFrames(data);
    return video && { width: video.width, height: video.height, frames: video.frames };
  }
  return decodePages(data, kind === 'video' ? MAX_PAGES : 1);
}

/** Any picture sharp reads (an animation's pages sampled evenly); undefined when it cannot decode it. */
async function decodePages(data: Buffer, maxPages: number): Promise<DecodedFrames | undefined> {
  try {
    const meta = await sharp(data, { animated: true }).metadata();
    const pages = Math.max(1, meta.pages ?? 1);
    const width = meta.width;
    const height = meta.pageHeight ?? meta.height;
    if (!width || !height) return undefined;
    const wanted = Math.min(pages, maxPages);
    const indexes = [...new Set(Array.from({ length: wanted }, (_, i) => Math.floor((i * pages) / wanted)))];
    const frames = await Promise.all(
      indexes.map(async (page) => {
        const { data: rgb, info } = await sharp(data, { page, pages: 1 })
          .resize(SAMPLE_BOX, SAMPLE_BOX, { fit: 'inside', withoutEnlargement: true })
          .removeAlpha()
          .toColourspace('srgb')
          .raw({ depth: 'uchar' })
          .toBuffer({ resolveWithObject: true });
        if (info.channels !== 3) throw new Error('not RGB');
        return new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength);
      }),
    );
    return { width, height, frames };
  } catch {
    return undefined;
  }
}

interface FrameStats {
  score: number;
  problem?: 'blank' | 'almost_black' | 'almost_white';
  /** The sampled luminance, for the motion comparison. */
  luma: Float32Array;
}

/** A frame's luminance statistics over a sample of its pixels. */
function frameStats(rgb: Uint8Array): FrameStats {
  const total = Math.floor(rgb.length / 3);
  const step = Math.max(1, Math.floor(total / MAX_SAMPLES));
  const luma = new Float32Array(Math.ceil(total / step));
  let count = 0;
  let sum = 0;
  let sumSquares = 0;
  let dark = 0;
  let bright = 0;
  for (let i = 0; i < total; i += step) {
    const luminance = 0.2126 * rgb[i * 3]! + 0.7152 * rgb[i * 3 + 1]! + 0.0722 * rgb[i * 3 + 2]!;
    luma[count++] = luminance;
    sum += luminance;
    sumSquares += luminance * luminance;
    if (luminance < 16) dark++;
    if (luminance > 240) bright++;
  }
  const mean = sum / count;
  const stddev = Math.sqrt(Math.max(0, sumSquares / count - mean * mean));
  // Contrast earns the score: a lively picture has a luminance spread of 40 or more.
  const score = Math.min(1, stddev / 40);
  if (stddev < BLANK_STDDEV) return { score: 0, problem: 'blank', luma };
  if (dark / count > EXTREME_SHARE) return { score: score * 0.2, problem: 'almost_black', luma };
  if (bright / count > EXTREME_SHARE) return { score: score * 0.2, problem: 'almost_white', luma };
  return { score, luma };
}

/** A pixel whose luminance moves this much between frames moved (encoder noise stays well below). */
const MOVED_PIXEL_DELTA = 12;
/**
 * Share of pixels that moved above which a clip moves even when the mean change is small: small
 * things moving over a still backdrop (the built-in renderer's petals) barely shift the mean.
 */
const MOVED_SHARE_THRESHOLD = 0.004;

/** Mean absolute luminance difference of two samples of the same size, and the share of pixels that moved. */
function frameDifference(a: Float32Array, b: Float32Array): { mean: number; movedShare: number } {
  const n = Math.min(a.length, b.length);
  let sum = 0;
  let moved = 0;
  for (let i = 0; i < n; i++) {
    const delta = Math.abs(a[i]! - b[i]!);
    sum += delta;
    if (delta > MOVED_PIXEL_DELTA) moved++;
  }
  return n === 0 ? { mean: 0, movedShare: 0 } : { mean: sum / n, movedShare: moved / n };
}

/**
 * A frame problem counts when most sampled frames have it (a clip fading in from black is fine);
 * a video counts as still when no two consecutive sampled frames differ enough.
 */
function assessFrames(decoded: DecodedFrames, expected: ExpectedSize | undefined, kind: 'image' | 'video'): QualityReport {
  const stats = decoded.frames.map(frameStats);
  const found = new Set<QualityProblem>();
  for (const problem of ['blank', 'almost_black', 'almost_white'] as const) {
    if (stats.filter((s) => s.problem === problem).length * 2 > stats.length) found.add(problem);
  }
  let score = stats.reduce((total, s) => total + s.score, 0) / stats.length;
  if (kind === 'video') {
    let motion = 0;
    let movedShare = 0;
    for (let i = 1; i < stats.length; i++) {
      const difference = frameDifference(stats[i - 1]!.luma, stats[i]!.luma);
      motion = Math.max(motion, difference.mean);
      movedShare = Math.max(movedShare, difference.movedShare);
    }
    if (motion < MOTION_THRESHOLD && movedShare < MOVED_SHARE_THRESHOLD) {
      found.add('no_motion');
      score *= 0.3;
    }
  }
  if (expected && (decoded.width !== expected.width || decoded.height !== expected.height)) {
    found.add('wrong_size');
    score *= 0.5;
  }
  const problems = QUALITY_PROBLEMS.filter((p) => found.has(p));
  return { ok: problems.length === 0, score: Math.round(score * 1000) / 1000, problems };
}
