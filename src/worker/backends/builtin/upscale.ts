import sharp from 'sharp';
import type { GeneratedFile } from '../../../core/generator.js';

/**
 * The built-in Upscale: the picture resized to the job's size with lanczos3, then a light unsharp
 * mask (sigma 0.6: enough to take the softness of a 2x resize off edges, too little to ring).
 */
export async function upscalePicture(data: Buffer, width: number, height: number): Promise<GeneratedFile> {
  const enlarged = await sharp(data, { pages: 1 })
    .resize(width, height, { kernel: sharp.kernel.lanczos3, fit: 'fill' })
    .sharpen({ sigma: 0.6 })
    .removeAlpha()
    .png()
    .toBuffer();
  return { kind: 'image', mime: 'image/png', data: enlarged };
}
