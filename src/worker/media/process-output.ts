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

function part(data: Buffer, format: { ext: string; mime: string }, width: number, height: number): MediaPart {
  return { data, ...format, width, height, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/**
 * One metadata read, then the two derivatives encoded in parallel (sharp runs them on its own
 * threads); sizes come from the original and from the thumbnail's encode, not from re-reading.
 */
export async function processOutput(file: GeneratedFile): Promise<ProcessedOutput> {
  try {
    const meta = await sharp(file.data, { animated: true }).metadata();
    const format = FORMATS[meta.format];
    if (!format || !meta.width || !meta.height) throw new Error('unsupported media format');
    const width = meta.width;
    const height = meta.pageHeight ?? meta.height;
    const animated = file.kind === 'video';
    const [webp, thumbnail] = await Promise.all([
      sharp(file.data, { animated })
        .webp({ quality: WEBP_QUALITY, ...(animated ? { loop: meta.loop ?? 0, ...(meta.delay ? { delay: meta.delay } : {}) } : {}) })
        .toBuffer(),
      sharp(file.data, { pages: 1 })
        .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: THUMBNAIL_QUALITY })
        .toBuffer({ resolveWithObject: true }),
    ]);
    return {
      original: part(file.data, format, width, height),
      webp: part(webp, FORMATS.webp!, width, height),
      thumbnail: part(thumbnail.data, FORMATS.webp!, thumbnail.info.width, thumbnail.info.height),
    };
  } catch (error) {
    if (error instanceof GenerationError) throw error;
    // A backend that returns bytes no decoder accepts is misbehaving; another attempt may do better.
    throw new GenerationError('unreadable_output', 'The generator returned an unreadable file.', 'backoff', { cause: error });
  }
}
