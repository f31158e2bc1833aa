import type { AssetView } from './events.js';

/** A stored file's place in its job: which output, and which of the three files kept for it. */
export interface OutputFile {
  outputIndex: number;
  variant: 'original' | 'webp' | 'thumbnail';
}

export interface OutputGroup<T extends OutputFile> {
  index: number;
  original: T;
  webp?: T;
  thumbnail?: T;
}

/** A job's file rows grouped per output (original plus its derivatives), in output order. */
export function groupOutputs<T extends OutputFile>(files: readonly T[]): Array<OutputGroup<T>> {
  const groups = new Map<number, Partial<Record<OutputFile['variant'], T>>>();
  for (const file of files) {
    const group = groups.get(file.outputIndex) ?? {};
    group[file.variant] = file;
    groups.set(file.outputIndex, group);
  }
  const result: Array<OutputGroup<T>> = [];
  for (const [index, { original, webp, thumbnail }] of [...groups].sort((a, b) => a[0] - b[0])) {
    // An output whose original is gone (deleted, or never recorded) has nothing to show.
    if (!original) continue;
    result.push({ index, original, ...(webp ? { webp } : {}), ...(thumbnail ? { thumbnail } : {}) });
  }
  return result;
}

/** A job's file rows as the completed event names them: one view per output. */
export function assetViews(rows: ReadonlyArray<OutputFile & { id: string; kind: 'image' | 'video'; mime: string; width: number; height: number; bytes: number }>): AssetView[] {
  return groupOutputs(rows).map(({ index, original, webp, thumbnail }) => ({
    assetId: original.id,
    index,
    kind: original.kind,
    mime: original.mime,
    width: original.width,
    height: original.height,
    bytes: original.bytes,
    webpAssetId: webp?.id,
    thumbnailAssetId: thumbnail?.id,
  }));
}
