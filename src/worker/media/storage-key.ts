/**
 * Where each stored file lives: `<project-slug>/<YYYY-MM-DD>/<job-id>-<n>.<ext>`, the date in UTC
 * so every host files a job under the same day. Derivatives sit beside their original.
 */
export type MediaVariant = 'original' | 'webp' | 'thumbnail';

export interface StorageKeyParts {
  projectSlug: string;
  createdAt: Date;
  jobId: string;
  /** Position of the output within the job (batch index). */
  index: number;
  /** Extension of this variant's bytes, without the dot ('png', 'webp'). */
  ext: string;
  variant: MediaVariant;
}

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const EXT = /^[a-z0-9]+$/;

/** Every part becomes a path segment, so each is checked rather than trusted. */
export function storageKey(parts: StorageKeyParts): string {
  const { projectSlug, createdAt, jobId, index, ext, variant } = parts;
  if (!SLUG.test(projectSlug)) throw new Error('storage key: invalid project slug');
  if (!JOB_ID.test(jobId)) throw new Error('storage key: invalid job id');
  if (!Number.isSafeInteger(index) || index < 0) throw new Error('storage key: invalid output index');
  if (!EXT.test(ext)) throw new Error('storage key: invalid extension');
  if (Number.isNaN(createdAt.getTime())) throw new Error('storage key: invalid date');
  const day = createdAt.toISOString().slice(0, 10);
  const stem = `${projectSlug}/${day}/${jobId}-${index}`;
  switch (variant) {
    case 'original':
      // A video's original is itself a WebP; keep it apart from the `.webp` derivative's key.
      return ext === 'webp' ? `${stem}.original.webp` : `${stem}.${ext}`;
    case 'webp':
      return `${stem}.webp`;
    case 'thumbnail':
      return `${stem}.thumb.webp`;
  }
}
