import sharp from 'sharp';
import type { PreviewImage } from '../../core/generator.js';

/** Chat embeds and the job card show previews small; the final picture is the one worth pixels. */
export const PREVIEW_MAX_SIDE = 320;
/** Far below every platform's limit, and cheap to keep in Redis and to upload with each Discord edit. */
export const PREVIEW_MAX_BYTES = 96 * 1024;
/** ComfyUI's latent previews are at most 512 px; a frame far larger than a render is not a preview. */
const MAX_INPUT_PIXELS = 4096 * 4096;

/**
 * One preview as it is kept and served: WebP (Discord, Slack and browsers all show it), at most
 * PREVIEW_MAX_SIDE on its long side, never enlarged. Undefined when even a rough encoding is over
 * PREVIEW_MAX_BYTES (then the frame is skipped, the next one may fit).
 */
export async function shrinkPreview(image: PreviewImage): Promise<{ mime: 'image/webp'; data: Buffer } | undefined> {
  const source =
    image.kind === 'raw'
      ? sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 }, limitInputPixels: MAX_INPUT_PIXELS })
      : sharp(image.data, { limitInputPixels: MAX_INPUT_PIXELS });
  const resized = await source.resize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE, { fit: 'inside', withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (const quality of [60, 30]) {
    const data = await sharp(resized.data, { raw: { width: resized.info.width, height: resized.info.height, channels: resized.info.channels } }).webp({ quality }).toBuffer();
    if (data.length <= PREVIEW_MAX_BYTES) return { mime: 'image/webp', data };
  }
  return undefined;
}
