import type { AssetView } from '../core/events.js';
import { assetViews } from '../core/outputs.js';
import type { NewAsset } from './job-store.js';

/** A job's asset rows as the completed event names them: one view per output. */
export function toViews(rows: ReadonlyArray<Pick<NewAsset, 'id' | 'outputIndex' | 'variant' | 'kind' | 'mime' | 'width' | 'height' | 'bytes'>>): AssetView[] {
  return assetViews(rows);
}
