import type { StoredFile } from '../records.js';
import type { Outcome } from '../outcome.js';

/** A picture that passed the intake checks, re-encoded without its metadata. */
export interface CheckedImage {
  data: Buffer;
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
  ext: 'png' | 'jpg' | 'webp';
  width: number;
  height: number;
  sha256: string;
}

/**
 * The intake port: type by the bytes, size and pixel limits read from the header before any
 * decoding, then a re-encode that drops EXIF (orientation applied first). Refusals are
 * invalid_input with a reason (image_type, image_too_large, image_too_many_pixels, image_unreadable).
 */
export interface ImageIntake {
  check(data: Buffer): Promise<Outcome<CheckedImage>>;
}

export interface UploadRecord extends StoredFile {
  id: string;
  spaceId: string;
  userId: string;
  createdAt: Date;
}

export interface UploadRecords {
  createUpload(upload: Omit<UploadRecord, 'createdAt'>): Promise<UploadRecord>;
  /** The upload, only when it belongs to this space (another space's id is as unknown as a missing one). */
  getUpload(spaceId: string, uploadId: string): Promise<UploadRecord | null>;
}

/** One reference picture a job sends to its backend, in the order the backend receives them. */
export interface JobInput {
  uploadId: string;
  /** The character whose reference it is; null for the requester's own picture. */
  characterId: string | null;
}

/** Where a job's copy of its n-th input lives: beside its outputs, so moves and deletes take it along. */
export function inputStorageKey(parts: { projectSlug: string; createdAt: Date; jobId: string; index: number; ext: string }): string {
  return `${parts.projectSlug}/${parts.createdAt.toISOString().slice(0, 10)}/${parts.jobId}-${parts.index}.input.${parts.ext}`;
}

/** Uploads live outside every project folder (`_` starts no project slug), per space and day. */
export function uploadStorageKey(parts: { spaceId: string; createdAt: Date; uploadId: string; ext: string }): string {
  return `_uploads/${parts.spaceId}/${parts.createdAt.toISOString().slice(0, 10)}/${parts.uploadId}.${parts.ext}`;
}
