import sharp from 'sharp';

/**
 * Real, decodable media for the fake ComfyUI: a gradient whose colours depend on the seed and frame,
 * so different runs give different bytes and a test can decode sizes and frame counts.
 */
function frame(width: number, height: number, seed: number, index: number): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  const base = Math.abs(Math.trunc(seed)) % 251;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      raw[offset] = (base + Math.floor((x * 255) / width)) % 256;
      raw[offset + 1] = (base * 3 + Math.floor((y * 255) / height)) % 256;
      raw[offset + 2] = (base * 7 + index * 37) % 256;
    }
  }
  return raw;
}

export async function renderPng(width: number, height: number, seed: number, index: number): Promise<Buffer> {
  return sharp(frame(width, height, seed, index), { raw: { width, height, channels: 3 } }).png().toBuffer();
}

export async function renderAnimated(
  width: number,
  height: number,
  frames: number,
  seed: number,
  format: 'webp' | 'gif',
  fps: number,
): Promise<Buffer> {
  const pngs = await Promise.all(Array.from({ length: frames }, (_, i) => renderPng(width, height, seed, i)));
  const delay = Array.from({ length: frames }, () => Math.round(1000 / Math.max(fps, 0.01)));
  const joined = sharp(pngs, { join: { animated: true } });
  return format === 'webp' ? joined.webp({ loop: 0, delay }).toBuffer() : joined.gif({ loop: 0, delay }).toBuffer();
}

/** Latent previews are small JPEGs (TAESD/latent2rgb output), whatever the final size. */
export async function renderPreview(seed: number, step: number): Promise<Buffer> {
  return sharp(frame(64, 64, seed, step), { raw: { width: 64, height: 64, channels: 3 } }).jpeg({ quality: 60 }).toBuffer();
}
