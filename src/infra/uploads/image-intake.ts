import type { ImageRefusal } from '../../core/failure-reasons.js';
/**
 * The checks every picture sent in passes before it is stored (the core's ImageIntake port):
 * the type comes from the first bytes, never from a name or a header someone set; size and pixel
 * limits are read from the file's own header before anything is decoded (so a small file that
 * claims a huge canvas, a decompression bomb, costs nothing); the decode then runs under sharp's
 * limitInputPixels as well, and the re-encode applies the EXIF orientation and drops every
 * metadata block (EXIF with GPS, XMP, ICC text), along with anything appended after the image.
 */
import { createHash } from 'node:crypto';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import type { CheckedImage, ImageIntake } from '../../core/uploads/types.js';

export interface IntakeLimits {
  maxBytes: number;
  /** Width x height, read from the header. */
  maxPixels: number;
  /** Longest side, read from the header. */
  maxSide: number;
}

/** 10 MB, 4096 x 4096 (16.7 MP): a large reference photo fits, a bomb does not. */
export const DEFAULT_INTAKE_LIMITS: IntakeLimits = { maxBytes: 10 * 1024 * 1024, maxPixels: 4096 * 4096, maxSide: 8192 };

type Format = Pick<CheckedImage, 'mime' | 'ext'> & { sharpName: 'png' | 'jpeg' | 'webp' };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG, JPEG or WebP by signature; anything else (GIF, SVG, HTML, a ZIP) is not a reference picture. */
export function sniffImage(data: Buffer): Format | undefined {
  if (data.length < 12) return undefined;
  if (data.subarray(0, 8).equals(PNG_SIGNATURE)) return { mime: 'image/png', ext: 'png', sharpName: 'png' };
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return { mime: 'image/jpeg', ext: 'jpg', sharpName: 'jpeg' };
  if (data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return { mime: 'image/webp', ext: 'webp', sharpName: 'webp' };
  return undefined;
}

/** `reason` stays for API clients that branch on it; the words come from `why`. */
const refuse = (reason: string, why: ImageRefusal, details?: Record<string, number>) =>
  fail({ reason: 'image_refused', field: 'file', why, ...details }, { reason, ...(details ? { details } : {}) });

export function createImageIntake(limits: IntakeLimits = DEFAULT_INTAKE_LIMITS): ImageIntake {
  return {
    async check(data: Buffer): Promise<Outcome<CheckedImage>> {
      if (data.length === 0) return refuse('image_unreadable', 'empty');
      if (data.length > limits.maxBytes) return refuse('image_too_large', 'too_large', { maxBytes: limits.maxBytes });
      const format = sniffImage(data);
      if (!format) return refuse('image_type', 'type');
      const options = { limitInputPixels: limits.maxPixels, pages: 1, failOn: 'error' as const };
      let meta: Metadata;
      try {
        // Header only: no pixel is decoded here.
        meta = await sharp(data, { ...options, limitInputPixels: false }).metadata();
      } catch {
        return refuse('image_unreadable', 'unreadable');
      }
      // The bytes must be what their signature says, all the way through: a PNG signature on
      // something else is a polyglot, not a picture.
      if (meta.format !== format.sharpName) return refuse('image_type', 'type_mismatch');
      const width = meta.width ?? 0;
      const height = meta.pageHeight ?? meta.height ?? 0;
      if (width === 0 || height === 0) return refuse('image_unreadable', 'unreadable');
      if (width * height > limits.maxPixels || Math.max(width, height) > limits.maxSide) {
        return refuse('image_too_many_pixels', 'too_many_pixels', { width, height, maxPixels: limits.maxPixels });
      }
      let encoded: { data: Buffer; info: OutputInfo };
      try {
        const image = sharp(data, options).autoOrient();
        const typed = format.sharpName === 'png' ? image.png() : format.sharpName === 'jpeg' ? image.jpeg({ quality: 92 }) : image.webp({ quality: 92 });
        // sharp writes no metadata unless asked (withMetadata/keepExif): the re-encode is the strip.
        encoded = await typed.toBuffer({ resolveWithObject: true });
      } catch {
        return refuse('image_unreadable', 'unreadable');
      }
      return ok({
        data: encoded.data,
        mime: format.mime,
        ext: format.ext,
        width: encoded.info.width,
        height: encoded.info.height,
        sha256: createHash('sha256').update(encoded.data).digest('hex'),
      });
    },
  };
}
