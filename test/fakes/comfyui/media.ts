import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * Real, decodable media for the fake ComfyUI: a gradient whose colours depend on the seed and frame,
 * so different runs give different bytes and a test can decode sizes and frame counts.
 */
function frame(width: number, height: number, seed: number, index: number, black = false): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  // A NaN in a real VAE decodes to an all-black picture; the fake does that on request.
  if (black) return raw;
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

export async function renderPng(width: number, height: number, seed: number, index: number, black = false): Promise<Buffer> {
  return sharp(frame(width, height, seed, index, black), { raw: { width, height, channels: 3 } }).png().toBuffer();
}

export async function renderAnimated(
  width: number,
  height: number,
  frames: number,
  seed: number,
  format: 'webp' | 'gif',
  fps: number,
  black = false,
): Promise<Buffer> {
  const pngs = await Promise.all(Array.from({ length: frames }, (_, i) => renderPng(width, height, seed, i, black)));
  const delay = Array.from({ length: frames }, () => Math.round(1000 / Math.max(fps, 0.01)));
  const joined = sharp(pngs, { join: { animated: true } });
  return format === 'webp' ? joined.webp({ loop: 0, delay }).toBuffer() : joined.gif({ loop: 0, delay }).toBuffer();
}

/** Latent previews are small JPEGs (TAESD/latent2rgb output), whatever the final size. */
export async function renderPreview(seed: number, step: number): Promise<Buffer> {
  return sharp(frame(64, 64, seed, step), { raw: { width: 64, height: 64, channels: 3 } }).jpeg({ quality: 60 }).toBuffer();
}

/**
 * An H.264 MP4 as VideoHelperSuite and core SaveVideo write it (yuv420p, faststart), encoded by the
 * system ffmpeg as they do. `still`: every frame the same (a clip without motion).
 */
export async function renderMp4(width: number, height: number, frames: number, seed: number, fps: number, options: { still?: boolean; black?: boolean } = {}): Promise<Buffer> {
  const raw = Buffer.concat(Array.from({ length: frames }, (_, i) => frame(width, height, seed, options.still ? 0 : i, options.black)));
  const path = join(tmpdir(), `fake-comfyui-${randomUUID()}.mp4`);
  const args = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-y', path];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${err}`))));
      child.stdin.end(raw);
    });
    return await readFile(path);
  } finally {
    await rm(path, { force: true });
  }
}
