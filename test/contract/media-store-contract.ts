import { describe, expect, test } from 'vitest';
import type { MediaStore } from '../../src/core/ports.js';
import { InvalidMediaKeyError } from '../../src/worker/media/file-media-store.js';
import { storageKey } from '../../src/worker/media/storage-key.js';

export interface MediaStoreUnderTest {
  store: MediaStore;
  /** Every key the backing storage holds, sorted (files under the root, or objects in the bucket). */
  keys(): Promise<string[]>;
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * What every MediaStore must do, whatever holds the bytes. Run over the file store and over the
 * S3 store against a real S3-compatible server; make() gives a fresh, empty store per test.
 */
export function mediaStoreContract(label: string, make: () => Promise<MediaStoreUnderTest>): void {
  describe(`MediaStore contract: ${label}`, () => {
    const key = storageKey({ projectSlug: 'general', createdAt: new Date('2025-01-02T03:04:05Z'), jobId: '00000000-0000-4000-8000-000000000001', index: 0, ext: 'png', variant: 'original' });

    test('put then read gives the same bytes, under the layout <project>/<date>/<job>-<n>', async () => {
      const { store, keys } = await make();
      const data = Buffer.from([0, 1, 2, 255, 254]);
      await store.put(key, data);
      expect(Buffer.compare(await store.read(key), data)).toBe(0);
      expect(await keys()).toEqual([key]);
      expect(key).toMatch(/^general\/2025-01-02\/00000000-0000-4000-8000-000000000001-0\.png$/);
    });

    test('a second put replaces the first', async () => {
      const { store } = await make();
      await store.put(key, Buffer.from('first'));
      await store.put(key, Buffer.from('second version'));
      expect((await store.read(key)).toString()).toBe('second version');
    });

    test('reading a missing key fails with code ENOENT (the media route answers 404 on it)', async () => {
      const { store } = await make();
      const error = await store.read('general/2025-01-02/none-0.png').catch((e: unknown) => e);
      expect(codeOf(error)).toBe('ENOENT');
    });

    test('move carries the bytes to the new key and leaves nothing at the old one', async () => {
      const { store, keys } = await make();
      const to = key.replace(/^general\//, 'other/');
      await store.put(key, Buffer.from('moving'));
      await store.move(key, to);
      expect((await store.read(to)).toString()).toBe('moving');
      expect(codeOf(await store.read(key).catch((e: unknown) => e))).toBe('ENOENT');
      expect(await keys()).toEqual([to]);
    });

    test('a move repeated after it finished (a retry) succeeds and changes nothing', async () => {
      const { store, keys } = await make();
      const to = key.replace(/^general\//, 'other/');
      await store.put(key, Buffer.from('moving'));
      await store.move(key, to);
      await store.move(key, to);
      expect(await keys()).toEqual([to]);
      expect((await store.read(to)).toString()).toBe('moving');
    });

    test('moving a key onto itself keeps the file', async () => {
      const { store } = await make();
      await store.put(key, Buffer.from('stay'));
      await store.move(key, key);
      expect((await store.read(key)).toString()).toBe('stay');
    });

    test('remove deletes, and removing a missing key is not an error', async () => {
      const { store, keys } = await make();
      await store.put(key, Buffer.from('x'));
      await store.remove(key);
      await store.remove(key);
      expect(await keys()).toEqual([]);
    });

    test.each([['/etc/passwd'], ['../outside.png'], ['a/../b.png'], ['a\\b.png'], ['a//b.png'], ['']])('refuses the key %j', async (bad) => {
      const { store, keys } = await make();
      await expect(store.put(bad, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidMediaKeyError);
      await expect(store.read(bad)).rejects.toBeInstanceOf(InvalidMediaKeyError);
      await expect(store.move(key, bad)).rejects.toBeInstanceOf(InvalidMediaKeyError);
      expect(await keys()).toEqual([]);
    });
  });
}
