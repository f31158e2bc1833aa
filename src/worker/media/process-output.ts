/**
 * Turns one backend output into the three files we keep: the original as produced, a WebP for
 * chat and the web, and a small thumbnail for galleries. Each comes with its size and SHA-256.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { GenerationError } from '../../core/errors.js';
import type { GeneratedFile } from '../../core/generator.js';
import { sniffFormat, WEBP } from './sniff-format.js';
import { firstFramePng } from './video-frames.js';

export interface MediaPart {
  data: Buffer;
  mime: string;
  ext: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
}

export interface ProcessedOutput {
  original: MediaPart;
  /** Absent for MP4: the clip itself is what chat and the web play; its poster is the thumbnail. */
  webp?: MediaPart;
  thumbnail: MediaPart;
}

const THUMBNAIL_SIZE = 256;
const WEBP_QUALITY = 90;
const THUMBNAIL_QUALITY = 80;

function part(data: Buffer, format: { ext: string; mime: string }, width: number, height: number): MediaPart {
  return { data, ...format, width, height, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/**
 * The derivatives are encoded in parallel (sharp runs them off the main thread). A still image
 * needs no separate metadata read: its format comes from its first bytes and its size from the
 * WebP encode, which keeps the original's dimensions. An animation's metadata is read for its
 * frame size, loop and delays.
 */
export async function processOutput(file: GeneratedFile): Promise<ProcessedOutput> {
  try {
    const format = sniffFormat(file.data);
    if (!format) throw new Error('unsupported media format');
    if (format.ext === 'mp4') return await processMp4(file.data, format);
    const [{ webp, width, height }, thumbnail] = await Promise.all([
      file.kind === 'video' ? animatedWebp(file.data) : stillWebp(file.data),
      thumbnailOf(file.data),
    ]);
    return {
      original: part(file.data, format, width, height),
      webp: part(webp, WEBP, width, height),
      thumbnail: part(thumbnail.data, WEBP, thumbnail.info.width, thumbnail.info.height),
    };
  } catch (error) {
    if (error instanceof GenerationError) throw error;
    // A backend that returns bytes no decoder accepts is misbehaving; another attempt may do better.
    throw new GenerationError('unreadable_output', {}, 'backoff', { cause: error });
  }
}

/** An MP4 is kept as made; its first frame becomes the poster thumbnail (sharp reads no video). */
async function processMp4(data: Buffer, format: { ext: string; mime: string }): Promise<ProcessedOutput> {
  const poster = await firstFramePng(data);
  const meta = await sharp(poster).metadata();
  if (!meta.width || !meta.height) throw new Error('the video has no readable first frame');
  const thumbnail = await thumbnailOf(poster);
  return {
    original: part(data, format, meta.width, meta.height),
    thumbnail: part(thumbnail.data, WEBP, thumbnail.info.width, thumbnail.info.height),
  };
}

function thumbnailOf(data: Buffer) {
  return sharp(data, { pages: 1 })
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: THUMBNAIL_QUALITY })
    .toBuffer({ resolveWithObject: true });
}

async function stillWebp(data: Buffer): Promise<{ webp: Buffer; width: number; height: number }> {
  const { data: webp, info } = await sharp(data, { pages: 1 }).webp({ quality: WEBP_QUALITY }).toBuffer({ resolveWithObject: true });
  return { webp, width: info.width, height: info.height };
}

async function animatedWebp(data: Buffer): Promise<{ webp: Buffer; width: number; height: number }> {
  const meta = await sharp(data, { animated: true }).metadata();
  if (!meta.width || !meta.height) throw new Error('unsupported media format');
  const webp = await sharp(data, { animated: true })
    .webp({ quality: WEBP_QUALITY, loop: meta.loop ?? 0, ...(meta.delay ? { delay: meta.delay } : {}) })
    .toBuffer();
  return { webp, width: meta.width, height: meta.pageHeight ?? meta.height };
}
