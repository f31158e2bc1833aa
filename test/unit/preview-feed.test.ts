import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import type { PreviewImage } from '../../src/core/generator.js';
import { PREVIEW_SEQS_PER_ATTEMPT, PreviewFeed } from '../../src/worker/previews/preview-feed.js';
import { PREVIEW_MAX_BYTES, PREVIEW_MAX_SIDE, shrinkPreview } from '../../src/worker/previews/shrink-preview.js';

/** A store whose writes the test lets through one at a time, so "busy" is a state the test holds. */
function heldStore() {
  const kept: Array<{ mime: string; data: Buffer }> = [];
  const removed: string[] = [];
  const gates: Array<() => void> = [];
  return {
    kept,
    removed,
    writesWaiting: () => gates.length,
    letOneThrough: () => gates.shift()?.(),
    store: {
      put: async (_jobId: string, image: { mime: string; data: Buffer }, floor: number) => {
        await new Promise<void>((resolve) => gates.push(resolve));
        kept.push(image);
        return floor + kept.length;
      },
      remove: async (jobId: string) => {
        removed.push(jobId);
      },
    },
  };
}

const noisy = (width: number, height: number): PreviewImage => {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
  return { kind: 'raw', width, height, data };
};

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

describe('one attempt\'s live previews', () => {
  test('at most one per interval, frames arriving while one is being kept are dropped, each kept one is announced with its sequence', async () => {
    let now = 1_000;
    const held = heldStore();
    const published: JobEvent[] = [];
    const feed = new PreviewFeed('job-1', { store: held.store, publish: async (e) => void published.push(e), intervalMs: 2_500, log: { warn: () => undefined }, now: () => now });
    feed.offer(noisy(64, 64));
    await until(() => held.writesWaiting() === 1);
    now += 3_000;
    feed.offer(noisy(64, 64)); // busy: dropped
    held.letOneThrough();
    await until(() => published.length === 1);
    now += 1_000;
    feed.offer(noisy(64, 64)); // 4 s after the last kept one (a dropped frame starts no interval)
    await until(() => held.writesWaiting() === 1);
    held.letOneThrough();
    await until(() => published.length === 2);
    now += 1_000;
    feed.offer(noisy(64, 64)); // 1 s after the last kept one: too soon
    expect(held.writesWaiting()).toBe(0);
    expect(published).toEqual([
      { type: 'preview', jobId: 'job-1', at: 4_000, seq: 1 },
      { type: 'preview', jobId: 'job-1', at: 5_000, seq: 2 },
    ]);
    await feed.close();
    expect(held.removed).toEqual(['job-1']);
  });

  test('close waits for the preview in flight, announces nothing after, and removes the kept one', async () => {
    const held = heldStore();
    const published: JobEvent[] = [];
    const feed = new PreviewFeed('job-2', { store: held.store, publish: async (e) => void published.push(e), intervalMs: 0, log: { warn: () => undefined } });
    feed.offer(noisy(32, 32));
    await until(() => held.writesWaiting() === 1);
    const closing = feed.close();
    held.letOneThrough();
    await closing;
    feed.offer(noisy(32, 32));
    expect(published).toEqual([]);
    expect(held.removed).toEqual(['job-2']);
    expect(held.writesWaiting()).toBe(0);
  });

  test('a second attempt announces sequences above the first attempt\'s range', async () => {
    const held = heldStore();
    const published: JobEvent[] = [];
    const feed = new PreviewFeed('job-3', { store: held.store, publish: async (e) => void published.push(e), intervalMs: 0, log: { warn: () => undefined }, attempt: 2 });
    feed.offer(noisy(32, 32));
    await until(() => held.writesWaiting() === 1);
    held.letOneThrough();
    await until(() => published.length === 1);
    expect(published[0]).toMatchObject({ type: 'preview', jobId: 'job-3', seq: PREVIEW_SEQS_PER_ATTEMPT + 1 });
    await feed.close();
  });

  test('a preview is WebP, at most 320 px on its long side, never enlarged, well under 100 KB', async () => {
    const big = await shrinkPreview(noisy(1024, 640));
    const meta = await sharp(big!.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', PREVIEW_MAX_SIDE, 200]);
    expect(big!.data.length).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
    const jpeg = await sharp(noisy(64, 48).data, { raw: { width: 64, height: 48, channels: 4 } }).jpeg().toBuffer();
    const small = await shrinkPreview({ kind: 'encoded', mime: 'image/jpeg', data: jpeg });
    expect(await sharp(small!.data).metadata()).toMatchObject({ format: 'webp', width: 64, height: 48 });
  });
});
