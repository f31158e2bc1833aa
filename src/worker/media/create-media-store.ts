/**
 * The one MediaStore of a process, chosen by STORAGE. For s3 the bucket is checked once at start so
 * a wrong endpoint, key or bucket name stops the process with one line instead of failing every job.
 * The app does not create the bucket: credentials that may write objects often may not create
 * buckets, and a typo would silently make a new empty bucket (compose creates it with mc instead).
 */
import type { MediaStore } from '../../core/ports.js';
import { connectionProblem, ServiceUnreachableError } from '../../shared/unreachable.js';
import { FileMediaStore } from './file-media-store.js';
import { S3MediaStore } from './s3-media-store.js';

/** The storage settings only (the worker layer does not import config.ts; runtime passes Config). */
export interface StorageConfig {
  STORAGE: 'local' | 's3';
  STORAGE_DIR: string;
  S3_ENDPOINT?: string | undefined;
  S3_BUCKET?: string | undefined;
  S3_REGION: string;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_FORCE_PATH_STYLE: boolean;
}

function s3Reason(error: unknown, bucket: string): string {
  const network = connectionProblem(error);
  if (network) return network;
  const meta = typeof error === 'object' && error !== null ? (error as { name?: unknown; $metadata?: { httpStatusCode?: number } }) : {};
  const status = meta.$metadata?.httpStatusCode;
  if (meta.name === 'NotFound' || meta.name === 'NoSuchBucket' || status === 404) return `has no bucket "${bucket}"`;
  if (status === 403 || status === 401 || meta.name === 'InvalidAccessKeyId' || meta.name === 'SignatureDoesNotMatch') return 'refused the access key';
  return 'did not answer as an S3 server';
}

export async function createMediaStore(config: StorageConfig): Promise<MediaStore> {
  if (config.STORAGE !== 's3') return new FileMediaStore(config.STORAGE_DIR);
  const store = new S3MediaStore({
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    bucket: config.S3_BUCKET ?? '',
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: config.S3_SECRET_ACCESS_KEY ?? '',
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
  try {
    await store.checkBucket();
  } catch (error) {
    const where = config.S3_ENDPOINT ?? `https://s3.${config.S3_REGION}.amazonaws.com`;
    throw new ServiceUnreachableError('S3', where, s3Reason(error, config.S3_BUCKET ?? ''), 'S3_ENDPOINT, S3_BUCKET, the S3 keys', { cause: error });
  }
  return store;
}
