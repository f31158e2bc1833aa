/**
 * MediaStore on the local disk, rooted at one directory. Keys come from storageKey(), but the store
 * still refuses anything that could escape the root: it is the last line before the filesystem.
 */
import { randomUUID } from 'node:crypto';
import { access, copyFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { MediaStore } from '../../core/ports.js';

export class InvalidMediaKeyError extends Error {
  override readonly name = 'InvalidMediaKeyError';
  constructor(reason: string) {
    // The key itself is left out: it may be user-influenced and end up in logs verbatim.
    super(`invalid media key: ${reason}`);
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export class FileMediaStore implements MediaStore {
  readonly root: string;
  /** Folders this process made or found: a day's folder is made once, not once per file. */
  private readonly knownFolders = new Set<string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Absolute path for a key, or InvalidMediaKeyError. */
  pathFor(key: string): string {
    if (typeof key !== 'string' || key.length === 0) throw new InvalidMediaKeyError('empty');
    if (key.includes('\0')) throw new InvalidMediaKeyError('contains NUL');
    if (key.includes('\\')) throw new InvalidMediaKeyError('contains a backslash');
    if (key.startsWith('/') || isAbsolute(key)) throw new InvalidMediaKeyError('absolute');
    if (key.includes('..')) throw new InvalidMediaKeyError("contains '..'");
    const segments = key.split('/');
    if (segments.some((s) => s.length === 0 || s === '.')) throw new InvalidMediaKeyError('empty segment');
    const path = join(this.root, ...segments);
    if (!path.startsWith(this.root + sep)) throw new InvalidMediaKeyError('outside the root');
    return path;
  }

  /** Written to a temporary file first, then renamed: readers never see half a file. */
  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathFor(key);
    const folder = dirname(target);
    if (!this.knownFolders.has(folder)) await this.makeFolder(folder);
    const temporary = `${target}.${randomUUID()}.tmp`;
    try {
      const handle = await open(temporary, 'wx').catch(async (error: unknown) => {
        // Removed behind our back (an operator tidying up): make it again, once.
        if (errorCode(error) !== 'ENOENT') throw error;
        this.knownFolders.delete(folder);
        await this.makeFolder(folder);
        return open(temporary, 'wx');
      });
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch((cleanupError: unknown) => {
        if (errorCode(cleanupError) !== 'ENOENT') throw cleanupError;
      });
      throw error;
    }
  }

  private async makeFolder(folder: string): Promise<void> {
    await mkdir(folder, { recursive: true });
    if (this.knownFolders.size > 10_000) this.knownFolders.clear();
    this.knownFolders.add(folder);
  }

  async read(key: string): Promise<Buffer> {
    return readFile(this.pathFor(key));
  }

  async move(fromKey: string, toKey: string): Promise<void> {
    const from = this.pathFor(fromKey);
    const to = this.pathFor(toKey);
    if (from === to) return;
    await mkdir(dirname(to), { recursive: true });
    try {
      await rename(from, to);
    } catch (error) {
      // A retry of a move that already happened: the target is there and the source gone. Done.
      if (errorCode(error) === 'ENOENT' && (await access(to).then(() => true, () => false))) return;
      // Another filesystem (a mounted volume): rename cannot cross it, so copy then delete.
      if (errorCode(error) !== 'EXDEV') throw error;
      const temporary = `${to}.${randomUUID()}.tmp`;
      await copyFile(from, temporary);
      await rename(temporary, to);
      await unlink(from);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await unlink(this.pathFor(key));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
}
