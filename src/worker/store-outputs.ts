import { randomUUID } from 'node:crypto';
import type { GeneratedFile } from '../core/generator.js';
import type { MediaStore } from '../core/ports.js';
import type { JobRecord } from '../core/records.js';
import type { Logger } from '../shared/logger.js';
import type { NewAsset } from './job-store.js';
import { assessQuality } from './media/quality.js';
import { processOutput } from './media/process-output.js';
import { storageKey } from './media/storage-key.js';

/**
 * Writes one backend output as three files (original, WebP, thumbnail) under the project's
 * folder and returns their rows. Keys derive from the job id and output index, so a retried
 * attempt overwrites its own files instead of leaving orphans.
 */
export class MediaOutputStorer {
  constructor(
    private readonly media: MediaStore,
    private readonly log: Logger,
  ) {}

  async store(file: GeneratedFile, context: { job: JobRecord; index: number }): Promise<NewAsset[]> {
    const { job, index } = context;
    const processed = await processOutput(file);
    const quality = assessQuality(processed.original.data, { width: job.width, height: job.height });
    if (!quality.ok) this.log.warn({ jobId: job.id, index, problems: quality.problems }, 'output failed the quality check');
    const rows: NewAsset[] = (['original', 'webp', 'thumbnail'] as const).map((variant) => {
      const part = processed[variant];
      return {
        id: randomUUID(),
        outputIndex: index,
        variant,
        kind: file.kind,
        mime: part.mime,
        width: part.width,
        height: part.height,
        bytes: part.bytes,
        sha256: part.sha256,
        storageKey: storageKey({ projectSlug: job.projectSlug, createdAt: job.createdAt, jobId: job.id, index, ext: part.ext, variant }),
        qualityScore: variant === 'original' ? quality.score : null,
      };
    });
    // The three writes (each synced to disk before the record can point at it) overlap.
    await Promise.all(rows.map((row) => this.media.put(row.storageKey, processed[row.variant].data)));
    return rows;
  }

  async discard(rows: NewAsset[]): Promise<void> {
    for (const row of rows) await this.media.remove(row.storageKey);
  }
}
