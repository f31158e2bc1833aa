/**
 * Turns one backend output into the three files we keep: the original as produced, a WebP for
 * chat and the web, and a small thumbnail for galleries. Each comes with its size and SHA-256.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { GenerationError } from '../../core/errors.js';
import type { GeneratedFile } from '../../core/generator.js';

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
  webp: MediaPart;
  thumbnail: MediaPart;
}

export const THUMBNAIL_SIZE = 256;
const WEBP_QUALITY = 90;
const THUMBNAIL_QUALITY = 80;

const FORMATS: Record<string, { ext: string; mime: string }> = {
  png: { ext: 'png', mime: 'image/png' },
  jpeg: { ext: 'jpg', mime: 'image/jpeg' },
  webp: { ext: 'webp', mime: 'image/webp' },
  gif: { ext: 'gif', mime: 'image/gif' },
};

async function describe(data: Buffer, format?: { ext: string; mime: string }): Promise<MediaPart> {
  const meta = await sharp(data, { animated: true }).metadata();
  const known = format ?? FORMATS[meta.format];
  if (!known || !meta.width || !meta.height) throw new Error('unsupported media format');
  return {
    data,
    ...known,
    width: meta.width,
    // An animated image stacks its frames; one frame's height is the picture's height.
    height: meta.pageHeight ?? meta.height,
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}

export async function processOutput(file: GeneratedFile): Promise<ProcessedOutput> {
  try {
    const original = await describe(file.data);
    const animated = file.kind === 'video';
    const meta = await sharp(file.data, { animated }).metadata();
    const webp = await sharp(file.data, { animated })
      .webp({ quality: WEBP_QUALITY, ...(animated ? { loop: meta.loop ?? 0, ...(meta.delay ? { delay: meta.delay } : {}) } : {}) })
      .toBuffer();
    // The thumbnail is always a still: the first frame of a video.
    const thumbnail = await sharp(file.data, { pages: 1 })
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: THUMBNAIL_QUALITY })
      .toBuffer();
    return {
      original,
      webp: await describe(webp, FORMATS.webp),
      thumbnail: await describe(thumbnail, FORMATS.webp),
    };
  } catch (error) {
    if (error instanceof GenerationError) throw error;
    // A backend that returns bytes no decoder accepts is misbehaving; another attempt may do better.
    throw new GenerationError('unreadable_output', 'The generator returned an unreadable file.', 'backoff', { cause: error });
  }
}
