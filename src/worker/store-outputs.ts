import { randomUUID } from 'node:crypto';
import type { GeneratedFile, ReferenceImage } from '../core/generator.js';
import type { MediaStore } from '../core/ports.js';
import type { JobInputRecord, JobRecord } from '../core/records.js';
import type { Logger } from '../shared/logger.js';
import type { NewAsset } from './job-store.js';
import { assessQuality, type QualityReport } from './media/quality.js';
import { processOutput, type ProcessedOutput } from './media/process-output.js';
import { sniffFormat } from './media/sniff-format.js';
import { storageKey, type MediaVariant } from './media/storage-key.js';

const VARIANTS = ['original', 'webp', 'thumbnail'] as const;

/** Reads a job's reference pictures (its `input` assets) for the backend. */
export class JobInputLoader {
  constructor(
    private readonly records: { listInputs(jobId: string): Promise<JobInputRecord[]> },
    private readonly media: MediaStore,
  ) {}

  async load(job: JobRecord): Promise<ReferenceImage[]> {
    const inputs = await this.records.listInputs(job.id);
    return Promise.all(
      inputs.map(async (input) => ({
        data: await this.media.read(input.storageKey),
        mime: input.mime,
        ext: input.storageKey.slice(input.storageKey.lastIndexOf('.') + 1),
        characterId: input.characterId,
      })),
    );
  }
}

/**
 * Writes one backend output as three files (original, WebP, thumbnail; an MP4 has no WebP, its
 * thumbnail is the poster) under the project's folder and returns their rows. Keys derive from the job id and output index, so a retried
 * attempt overwrites its own files instead of leaving orphans.
 */
export class MediaOutputStorer {
  constructor(
    private readonly media: MediaStore,
    private readonly log: Logger,
  ) {}

  /** The quality check of one output against the job's size; a video's frames are compared for motion. */
  check(file: GeneratedFile, job: Pick<JobRecord, 'width' | 'height'>): Promise<QualityReport> {
    return assessQuality(file.data, { width: job.width, height: job.height }, file.kind);
  }

  async store(file: GeneratedFile, context: { job: JobRecord; index: number; quality?: QualityReport }): Promise<NewAsset[]> {
    const { job, index } = context;
    const keyFor = (variant: MediaVariant, ext: string) => storageKey({ projectSlug: job.projectSlug, createdAt: job.createdAt, jobId: job.id, index, ext, variant });
    // The original's bytes are final as the backend gave them: they go to disk while the
    // derivatives encode. Anything that is not an image is refused before a byte is written.
    const format = sniffFormat(file.data);
    const originalWrite = format ? this.media.put(keyFor('original', format.ext), file.data) : undefined;
    // Awaited below; marked handled now so a failure while the encodes run is not an unhandled rejection.
    originalWrite?.catch(() => undefined);
    let processed: ProcessedOutput;
    try {
      processed = await processOutput(file);
    } catch (error) {
      if (originalWrite && format) {
        await originalWrite.catch(() => undefined);
        await this.media.remove(keyFor('original', format.ext));
      }
      throw error;
    }
    const quality = context.quality ?? (await this.check(file, job));
    if (!quality.ok) this.log.warn({ jobId: job.id, index, problems: quality.problems }, 'output failed the quality check');
    const rows: NewAsset[] = VARIANTS.flatMap((variant) => {
      const part = processed[variant];
      if (!part) return [];
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
        storageKey: keyFor(variant, part.ext),
        qualityScore: variant === 'original' ? quality.score : null,
      };
    });
    // Each write is synced to disk before the record can point at it; the writes overlap.
    await Promise.all([
      originalWrite,
      ...rows.filter((row) => row.variant !== 'original').map((row) => this.media.put(row.storageKey, processed[row.variant]!.data)),
    ]);
    return rows;
  }

  async discard(rows: NewAsset[]): Promise<void> {
    for (const row of rows) await this.media.remove(row.storageKey);
  }
}
