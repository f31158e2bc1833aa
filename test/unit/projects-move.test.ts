import { describe, expect, test } from 'vitest';
import type { MediaStore } from '../../src/core/ports.js';
import { keyInProject, moveJobFiles } from '../../src/core/projects/move-image.js';
import type { MovableJob, Project, ProjectRecords } from '../../src/core/projects/types.js';

/** An in-memory MediaStore that can be told to fail a given move. */
function memoryStore(keys: string[], failOn?: (from: string) => boolean): MediaStore & { keys: Set<string> } {
  const stored = new Set(keys);
  return {
    keys: stored,
    async put(key) {
      stored.add(key);
    },
    async read() {
      return Buffer.alloc(0);
    },
    async move(from, to) {
      if (failOn?.(from)) throw new Error('disk full');
      if (!stored.delete(from)) throw new Error(`missing ${from}`);
      stored.add(to);
    },
    async remove(key) {
      stored.delete(key);
    },
  };
}

const job: MovableJob = {
  id: 'job-1',
  spaceId: 's',
  projectId: 'p-old',
  projectSlug: 'general',
  userId: 'u',
  status: 'completed',
  assets: [
    { id: 'a1', storageKey: 'general/2025-06-01/job-1-0.png', deleted: false },
    { id: 'a2', storageKey: 'general/2025-06-01/job-1-0.webp', deleted: false },
    { id: 'a3', storageKey: 'general/2025-06-01/job-1-0.thumb.webp', deleted: false },
  ],
};
const target = { id: 'p-new', slug: 'keepers' } as Project;
const originalKeys = job.assets.map((a) => a.storageKey);

function recordsThat(result: boolean | Error): ProjectRecords & { calls: number } {
  const records = {
    calls: 0,
    async moveJobRecords() {
      records.calls++;
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return records as unknown as ProjectRecords & { calls: number };
}

const note = (moved: { files: number }) => ({ spaceId: 's', actorUserId: 'u', action: 'image.moved', target: 'job-1', details: { files: moved.files } });

describe('moving an image: files and records together, or neither', () => {
  test('swaps the project folder and keeps the rest of the key', () => {
    expect(keyInProject('general/2025-06-01/job-1-0.png', 'keepers')).toBe('keepers/2025-06-01/job-1-0.png');
    expect(() => keyInProject('nofolder.png', 'x')).toThrow();
  });

  test('success moves every file and records once', async () => {
    const media = memoryStore(originalKeys);
    const records = recordsThat(true);
    const result = await moveJobFiles({ media, records }, job, target, note);
    expect(result).toEqual({ ok: true, value: { jobId: 'job-1', from: 'general', to: 'keepers', files: 3 } });
    expect([...media.keys].sort()).toEqual(originalKeys.map((k) => keyInProject(k, 'keepers')).sort());
    expect(records.calls).toBe(1);
  });

  test('a file move failing puts the files already moved back; no record changes', async () => {
    const media = memoryStore(originalKeys, (from) => from.endsWith('.thumb.webp'));
    const records = recordsThat(true);
    await expect(moveJobFiles({ media, records }, job, target, note)).rejects.toThrow('disk full');
    expect([...media.keys].sort()).toEqual([...originalKeys].sort());
    expect(records.calls).toBe(0);
  });

  test('the database failing puts every file back', async () => {
    const media = memoryStore(originalKeys);
    await expect(moveJobFiles({ media, records: recordsThat(new Error('connection lost')) }, job, target, note)).rejects.toThrow('connection lost');
    expect([...media.keys].sort()).toEqual([...originalKeys].sort());
  });

  test('losing the race to another move puts the files back and says conflict', async () => {
    const media = memoryStore(originalKeys);
    const result = await moveJobFiles({ media, records: recordsThat(false) }, job, target, note);
    expect(result).toMatchObject({ ok: false, code: 'conflict' });
    expect([...media.keys].sort()).toEqual([...originalKeys].sort());
  });

  test('deleted files are not touched on disk but their rows follow the job', async () => {
    const media = memoryStore(originalKeys.slice(0, 1));
    const withDeleted = { ...job, assets: job.assets.map((a, i) => ({ ...a, deleted: i > 0 })) };
    const result = await moveJobFiles({ media, records: recordsThat(true) }, withDeleted, target, note);
    expect(result).toMatchObject({ ok: true, value: { files: 1 } });
  });
});
