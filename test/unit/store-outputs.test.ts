import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { JobRecord } from '../../src/core/records.js';
import { createLogger } from '../../src/shared/logger.js';
import { FileMediaStore } from '../../src/worker/media/file-media-store.js';
import { MediaOutputStorer } from '../../src/worker/store-outputs.js';

let root: string;
let storer: MediaOutputStorer;
let media: FileMediaStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'store-outputs-'));
  media = new FileMediaStore(root);
  storer = new MediaOutputStorer(media, createLogger({ level: 'silent', secrets: [] }));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const job = { id: '0b9c7a52-7f55-4a4e-9d1c-3f7a2c1d9e01', projectSlug: 'general', createdAt: new Date('2026-11-28T10:00:00Z'), width: 48, height: 32 } as JobRecord;

async function files(): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}

test('stores the original and both derivatives under the project and day, and their rows match the bytes on disk', async () => {
  const png = await sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 250, g: 120, b: 30 } } }).png().toBuffer();
  const rows = await storer.store({ kind: 'image', mime: 'image/png', data: png }, { job, index: 0 });
  expect(rows.map((r) => [r.variant, r.storageKey, r.width, r.height])).toEqual([
    ['original', `general/2026-11-28/${job.id}-0.png`, 48, 32],
    ['webp', `general/2026-11-28/${job.id}-0.webp`, 48, 32],
    ['thumbnail', `general/2026-11-28/${job.id}-0.thumb.webp`, 48, 32],
  ]);
  expect(await files()).toEqual(rows.map((r) => r.storageKey).sort());
  for (const row of rows) expect((await media.read(row.storageKey)).length).toBe(row.bytes);
  expect((await media.read(rows[0]!.storageKey)).equals(png)).toBe(true);
});

test('an output that does not decode leaves no file behind, not even the original written while it was encoding', async () => {
  const png = await sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
  const broken = Buffer.concat([png.subarray(0, 16), Buffer.alloc(200, 0x42)]);
  await expect(storer.store({ kind: 'image', mime: 'image/png', data: broken }, { job, index: 0 })).rejects.toMatchObject({ code: 'unreadable_output' });
  expect(await files()).toEqual([]);
  await expect(storer.store({ kind: 'image', mime: 'image/png', data: Buffer.from('plain text, no image at all') }, { job, index: 1 })).rejects.toMatchObject({ code: 'unreadable_output' });
  expect(await files()).toEqual([]);
});
