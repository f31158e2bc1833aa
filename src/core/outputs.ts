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
