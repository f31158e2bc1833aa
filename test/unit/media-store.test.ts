import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FileMediaStore, InvalidMediaKeyError } from '../../src/worker/media/file-media-store.js';
import { storageKey } from '../../src/worker/media/storage-key.js';

let root: string;
let store: FileMediaStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'media-store-'));
  store = new FileMediaStore(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

describe('FileMediaStore', () => {
  test.each([
    ['/etc/passwd'],
    ['../outside.png'],
    ['a/../../outside.png'],
    ['a/..'],
    ['a\\b.png'],
    ['a\0b.png'],
    ['a//b.png'],
    ['a/./b.png'],
    ['a/'],
    [''],
  ])('refuses the key %j', async (key) => {
    await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidMediaKeyError);
    await expect(store.read(key)).rejects.toBeInstanceOf(InvalidMediaKeyError);
    await expect(store.remove(key)).rejects.toBeInstanceOf(InvalidMediaKeyError);
    await expect(store.move('ok/file.png', key)).rejects.toBeInstanceOf(InvalidMediaKeyError);
    expect(await listAll(root)).toEqual([]);
  });

  test('writes into new folders and reads back, leaving no temporary file', async () => {
    await store.put('general/2025-01-02/job-0.png', Buffer.from('first'));
    await store.put('general/2025-01-02/job-0.png', Buffer.from('second version'));
    expect((await store.read('general/2025-01-02/job-0.png')).toString()).toBe('second version');
    expect(await listAll(root)).toEqual(['general/2025-01-02/job-0.png']);
  });

  test('a folder removed behind its back is made again on the next write', async () => {
    await store.put('general/2025-01-02/job-0.png', Buffer.from('first'));
    await rm(join(root, 'general'), { recursive: true });
    await store.put('general/2025-01-02/job-1.png', Buffer.from('second'));
    expect((await store.read('general/2025-01-02/job-1.png')).toString()).toBe('second');
    expect(await listAll(root)).toEqual(['general/2025-01-02/job-1.png']);
  });

  test('a failed write leaves the previous file intact', async () => {
    await store.put('p/d/job-0.png', Buffer.from('good'));
    // A folder where the file should be makes the final rename fail.
    await store.put('p/d/job-1.png/blocker', Buffer.from('x'));
    await expect(store.put('p/d/job-1.png', Buffer.from('new'))).rejects.toThrow();
    expect((await store.read('p/d/job-0.png')).toString()).toBe('good');
    expect((await listAll(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('moves a file across folders', async () => {
    await store.put('old-project/2025-01-02/job-0.png', Buffer.from('image'));
    await store.move('old-project/2025-01-02/job-0.png', 'new-project/2025-01-02/job-0.png');
    expect((await readFile(join(root, 'new-project/2025-01-02/job-0.png'))).toString()).toBe('image');
    await expect(stat(join(root, 'old-project/2025-01-02/job-0.png'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('remove deletes a file and ignores one that is gone', async () => {
    await store.put('p/d/job-0.png', Buffer.from('x'));
    await store.remove('p/d/job-0.png');
    await store.remove('p/d/job-0.png');
    await store.remove('never/was/here.png');
    expect(await listAll(root)).toEqual([]);
  });

  test('reading a missing key fails', async () => {
    await expect(store.read('p/d/missing.png')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('storageKey', () => {
  const base = { projectSlug: 'my-project', createdAt: new Date('2025-03-04T23:30:00-05:00'), jobId: 'abc-123', index: 2 };

  test('files originals and derivatives by project and UTC day', () => {
    expect(storageKey({ ...base, ext: 'png', variant: 'original' })).toBe('my-project/2025-03-05/abc-123-2.png');
    expect(storageKey({ ...base, ext: 'webp', variant: 'webp' })).toBe('my-project/2025-03-05/abc-123-2.webp');
    expect(storageKey({ ...base, ext: 'webp', variant: 'thumbnail' })).toBe('my-project/2025-03-05/abc-123-2.thumb.webp');
  });

  test('a WebP original (video) does not collide with the WebP derivative', () => {
    const original = storageKey({ ...base, ext: 'webp', variant: 'original' });
    expect(original).toBe('my-project/2025-03-05/abc-123-2.original.webp');
    expect(original).not.toBe(storageKey({ ...base, ext: 'webp', variant: 'webp' }));
  });

  test('refuses parts that could change the path', () => {
    expect(() => storageKey({ ...base, projectSlug: '../x', ext: 'png', variant: 'original' })).toThrow();
    expect(() => storageKey({ ...base, jobId: 'a/b', ext: 'png', variant: 'original' })).toThrow();
    expect(() => storageKey({ ...base, ext: 'p/ng', variant: 'original' })).toThrow();
    expect(() => storageKey({ ...base, index: -1, ext: 'png', variant: 'original' })).toThrow();
  });
});
