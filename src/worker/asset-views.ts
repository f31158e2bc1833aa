import type { AssetView } from '../core/events.js';
import { groupOutputs } from '../core/outputs.js';
import type { NewAsset } from './job-store.js';

/** A job's asset rows as the completed event names them: one view per output. */
export function toViews(rows: ReadonlyArray<Pick<NewAsset, 'id' | 'outputIndex' | 'variant' | 'kind' | 'mime' | 'width' | 'height' | 'bytes'>>): AssetView[] {
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
