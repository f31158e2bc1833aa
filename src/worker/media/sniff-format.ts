/** The container formats we keep as originals, told apart by their first bytes (not by what a backend claims). */
export interface MediaFormat {
  ext: string;
  mime: string;
}

const PNG: MediaFormat = { ext: 'png', mime: 'image/png' };
const JPEG: MediaFormat = { ext: 'jpg', mime: 'image/jpeg' };
export const WEBP: MediaFormat = { ext: 'webp', mime: 'image/webp' };
const GIF: MediaFormat = { ext: 'gif', mime: 'image/gif' };

export const MP4: MediaFormat = { ext: 'mp4', mime: 'video/mp4' };
/** ISO base media brands that are MP4 video; HEIC and AVIF pictures share the box layout, not these brands. */
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'dash', 'mmp4']);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG, JPEG, WebP, GIF or MP4 by signature; undefined for anything else. */
export function sniffFormat(data: Buffer): MediaFormat | undefined {
  if (data.length < 12) return undefined;
  if (data.subarray(0, 8).equals(PNG_SIGNATURE)) return PNG;
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return JPEG;
  if (data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return WEBP;
  const gif = data.toString('latin1', 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return GIF;
  if (data.toString('latin1', 4, 8) === 'ftyp' && MP4_BRANDS.has(data.toString('latin1', 8, 12))) return MP4;
  return undefined;
}
