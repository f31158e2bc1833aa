/**
 * MP4 through Debian's ffmpeg (a system dependency: .ci/run and the Dockerfile install it): the
 * frames the quality check compares and the first frame the poster is made from. sharp (libvips)
 * reads no video containers, and the npm builds of ffmpeg need an install script; the system one
 * is kept up to date with the OS. When it is missing, the worker says so at start and every MP4
 * fails with `media_tool_missing` (an operator's fix), never with a decoder's text.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerationError } from '../../core/errors.js';

const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
/** Sampled frames are scaled to fit this box: enough for luminance statistics and motion, cheap to decode. */
const SAMPLE_BOX = 256;
const MAX_FRAMES = 48;
const RUN_TIMEOUT_MS = 30_000;

export interface VideoFrames {
  /** The video's own size (the check compares it with the size asked for). */
  width: number;
  height: number;
  /** The first frames (up to MAX_FRAMES), RGB 8-bit, each sampleWidth x sampleHeight. */
  frames: Uint8Array[];
  sampleWidth: number;
  sampleHeight: number;
}

let available: Promise<boolean> | undefined;

/** Whether ffmpeg and ffprobe run here; asked once per process. */
export function ffmpegAvailable(): Promise<boolean> {
  available ??= Promise.all([run(FFMPEG, ['-version']), run(FFPROBE, ['-version'])]).then(
    () => true,
    () => false,
  );
  return available;
}

export const FFMPEG_MISSING_TEXT = 'ffmpeg/ffprobe not found (install Debian\'s ffmpeg, or set FFMPEG_PATH and FFPROBE_PATH): MP4 outputs cannot be checked or given a poster';

async function requireFfmpeg(): Promise<void> {
  if (!(await ffmpegAvailable())) throw new GenerationError('media_tool_missing', {}, 'never', { adminText: FFMPEG_MISSING_TEXT });
}

/** Decodes the first frames of an MP4; undefined when the bytes are no video ffmpeg can read. */
export async function decodeVideoFrames(data: Buffer): Promise<VideoFrames | undefined> {
  await requireFfmpeg();
  return withTempFile(data, async (path) => {
    const size = await probeSize(path);
    if (!size) return undefined;
    const scale = Math.min(1, SAMPLE_BOX / Math.max(size.width, size.height));
    // Even sizes: some scalers refuse odd ones; rgb24 has no such rule, but keep one code path.
    const sampleWidth = Math.max(2, Math.round((size.width * scale) / 2) * 2);
    const sampleHeight = Math.max(2, Math.round((size.height * scale) / 2) * 2);
    let raw: Buffer;
    try {
      raw = await run(FFMPEG, ['-v', 'error', '-i', path, '-frames:v', String(MAX_FRAMES), '-vf', `scale=${sampleWidth}:${sampleHeight}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    } catch {
      return undefined;
    }
    const frameBytes = sampleWidth * sampleHeight * 3;
    const frames: Uint8Array[] = [];
    for (let offset = 0; offset + frameBytes <= raw.length; offset += frameBytes) frames.push(raw.subarray(offset, offset + frameBytes));
    if (frames.length === 0) return undefined;
    return { ...size, frames, sampleWidth, sampleHeight };
  });
}

/** The first frame of an MP4 as a PNG (the poster the thumbnail is made from). */
export async function firstFramePng(data: Buffer): Promise<Buffer> {
  await requireFfmpeg();
  return withTempFile(data, (path) => run(FFMPEG, ['-v', 'error', '-i', path, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1']));
}

/** The video stream's size; undefined when there is none. */
async function probeSize(path: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const out = await run(FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', path]);
    const parsed = JSON.parse(out.toString('utf8')) as { streams?: Array<{ width?: unknown; height?: unknown }> };
    const stream = parsed.streams?.[0];
    if (typeof stream?.width !== 'number' || typeof stream.height !== 'number' || stream.width < 1 || stream.height < 1) return undefined;
    return { width: stream.width, height: stream.height };
  } catch {
    return undefined;
  }
}

/** MP4 needs a seekable input (its index may sit at the end), so the bytes go to a private temp file. */
async function withTempFile<T>(data: Buffer, use: (path: string) => Promise<T>): Promise<T> {
  const path = join(tmpdir(), `anime-production-${randomUUID()}.mp4`);
  await writeFile(path, data, { mode: 0o600 });
  try {
    return await use(path);
  } finally {
    await rm(path, { force: true });
  }
}

/** Runs a tool without a shell; resolves with its stdout, rejects on a non-zero exit, a spawn error or the timeout. */
function run(command: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 2_000) err += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${command} exited with ${code}: ${err.trim()}`))));
  });
}
