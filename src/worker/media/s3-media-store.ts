/**
 * MediaStore on an S3-compatible bucket (AWS, MinIO, ...). Keys are the same layout as the file
 * store (<project>/<date>/<job>-<n>.<ext>), so moving between stores is a plain copy of objects.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { MediaStore } from '../../core/ports.js';
import { InvalidMediaKeyError } from './file-media-store.js';

export interface S3MediaStoreOptions {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

const MIME_BY_EXT: Record<string, string> = { png: 'image/png', webp: 'image/webp', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', json: 'application/json' };

function contentTypeFor(key: string): string {
  return MIME_BY_EXT[key.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

function isMissing(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** The media route (and callers) recognise a missing file by code ENOENT, whichever store it is. */
function missingFile(): Error {
  return Object.assign(new Error('media object not found'), { code: 'ENOENT' });
}

/** The same key rules as the file store, so a key valid in one is valid in the other. */
function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidMediaKeyError('empty');
  if (key.includes('\0')) throw new InvalidMediaKeyError('contains NUL');
  if (key.includes('\\')) throw new InvalidMediaKeyError('contains a backslash');
  if (key.startsWith('/')) throw new InvalidMediaKeyError('absolute');
  if (key.includes('..')) throw new InvalidMediaKeyError("contains '..'");
  if (key.split('/').some((s) => s.length === 0 || s === '.')) throw new InvalidMediaKeyError('empty segment');
  return key;
}

export class S3MediaStore implements MediaStore {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(options: S3MediaStoreOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    });
  }

  /** Throws when the bucket cannot be reached or does not exist (checked once at start). */
  async checkBucket(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** A PUT is atomic in S3: readers see the old object or the whole new one, never half. */
  async put(key: string, data: Buffer): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: checkKey(key), Body: data, ContentType: contentTypeFor(key), ContentLength: data.length }),
    );
  }

  async read(key: string): Promise<Buffer> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      if (!out.Body) throw missingFile();
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (error) {
      if (isMissing(error)) throw missingFile();
      throw error;
    }
  }

  /**
   * S3 has no rename: CopyObject then DeleteObject. Safe to retry after a partial failure: if the
   * copy happened but the delete did not, the source is still there and a retry copies it again
   * (same bytes) and deletes it; if the source is already gone and the target exists, the earlier
   * attempt finished its copy, so the move is treated as done.
   */
  async move(fromKey: string, toKey: string): Promise<void> {
    const from = checkKey(fromKey);
    const to = checkKey(toKey);
    if (from === to) return;
    try {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}` }),
      );
    } catch (error) {
      if (!isMissing(error)) throw error;
      if (await this.exists(to)) return;
      throw missingFile();
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: from }));
  }

  /** Deleting a missing object is not an error in S3, like remove() on the file store. */
  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: 'bytes=0-0' }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}
