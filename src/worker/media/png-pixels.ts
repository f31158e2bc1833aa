/**
 * A small synchronous PNG reader (8/16-bit grey, RGB, palette, with or without alpha; not
 * interlaced) so the quality check can stay a plain function of the bytes. Anything it does not
 * handle returns undefined and the caller falls back to header-only checks.
 */
import { inflateSync } from 'node:zlib';

export interface DecodedPixels {
  width: number;
  height: number;
  /** 8-bit RGB, three bytes per pixel. */
  rgb: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Refuse absurd sizes before allocating: a hostile header must not exhaust memory. */
const MAX_PIXELS = 64 * 1024 * 1024;

export function isPng(data: Buffer): boolean {
  return data.length > 8 && data.subarray(0, 8).equals(SIGNATURE);
}

export function decodePng(data: Buffer): DecodedPixels | undefined {
  if (!isPng(data)) return undefined;
  let offset = 8;
  let header: { width: number; height: number; depth: number; type: number; interlace: number } | undefined;
  let palette: Buffer | undefined;
  const compressed: Buffer[] = [];
  while (offset + 8 <= data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8]!, type: body[9]!, interlace: body[12]! };
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') compressed.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (!header || header.interlace !== 0 || (header.depth !== 8 && header.depth !== 16)) return undefined;
  const channels = CHANNELS[header.type];
  if (channels === undefined || (header.type === 3 && (!palette || header.depth !== 8))) return undefined;
  const { width, height } = header;
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) return undefined;

  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(compressed));
  } catch {
    return undefined;
  }
  const bytesPerPixel = (channels * header.depth) / 8;
  const stride = width * bytesPerPixel;
  if (raw.length < height * (stride + 1)) return undefined;
  const rows = unfilter(raw, height, stride, bytesPerPixel);
  const rgb = new Uint8Array(width * height * 3);
  const sample = header.depth === 16 ? 2 : 1;
  for (let i = 0, p = 0; i < width * height; i++, p += bytesPerPixel) {
    let r = rows[p]!;
    let g = r;
    let b = r;
    if (header.type === 3) {
      const entry = r * 3;
      [r, g, b] = [palette![entry] ?? 0, palette![entry + 1] ?? 0, palette![entry + 2] ?? 0];
    } else if (channels >= 3) {
      g = rows[p + sample]!;
      b = rows[p + 2 * sample]!;
    }
    rgb[i * 3] = r;
    rgb[i * 3 + 1] = g;
    rgb[i * 3 + 2] = b;
  }
  return { width, height, rgb };
}

/** Reverses the per-row PNG filters (None, Sub, Up, Average, Paeth). */
function unfilter(raw: Buffer, height: number, stride: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const source = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const value = raw[source + x]!;
      const left = x >= bpp ? out[row + x - bpp]! : 0;
      const up = y > 0 ? out[row - stride + x]! : 0;
      const upLeft = y > 0 && x >= bpp ? out[row - stride + x - bpp]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      out[row + x] = (value + predictor) & 0xff;
    }
  }
  return out;
}

/** Width and height from a PNG, WebP or JPEG header without decoding pixels. */
export function readDimensions(data: Buffer): { width: number; height: number } | undefined {
  if (isPng(data) && data.length >= 24) return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  if (data.length >= 30 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = data.toString('latin1', 12, 16);
    if (chunk === 'VP8X') return { width: data.readUIntLE(24, 3) + 1, height: data.readUIntLE(27, 3) + 1 };
    if (chunk === 'VP8 ') return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = data.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  return undefined;
}
