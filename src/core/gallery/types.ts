import type { SearchText } from './search-text.js';
import type { JobRecord } from '../records.js';

/** A position in a newest-first list: the row's created_at in microseconds since 1970, and its id. */
export interface Keyset {
  micros: string;
  id: string;
}

export interface Author {
  externalId: string;
  displayName: string;
}

/** One tile of a grid: a finished generation, shown by its first output's thumbnail. */
export interface GalleryItem {
  jobId: string;
  projectId: string;
  projectSlug: string;
  projectName: string;
  prompt: string;
  kind: 'image' | 'video';
  createdAt: Date;
  /** How many outputs the generation kept (a batch shows as one tile). */
  outputs: number;
  author: Author;
  thumbnailAssetId: string;
  originalAssetId: string;
  width: number;
  height: number;
  characterNames: string[];
  position: Keyset;
}

export interface GalleryPage {
  items: GalleryItem[];
  /** Opaque; pass back to get the next (older) page. Null on the last page. */
  nextCursor: string | null;
}

export interface AssetRef {
  id: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ImageOutput {
  index: number;
  original: AssetRef;
  webp: AssetRef | null;
  thumbnail: AssetRef | null;
}

/** Everything the image page shows: the full recipe and the files. */
export interface ImageDetail
  extends Pick<JobRecord, 'spaceId' | 'projectId' | 'kind' | 'status' | 'promptSent' | 'negativeSent' | 'seed' | 'width' | 'height' | 'steps' | 'backend' | 'createdAt' | 'finishedAt'> {
  /** The offered model's id and display name ('' for jobs made before models were recorded). */
  model: string;
  modelName: string;
  jobId: string;
  loras: Array<{ name: string; weight: number }>;
  characters: Array<{ id: string | null; name: string }>;
  author: Author;
  outputs: ImageOutput[];
  /** The job it was made from and the jobs made from it, finished and in the same project (a family never shows another project's pictures). */
  family: { parent: FamilyMember | null; children: FamilyMember[] };
}

/** A parent or child on the image page: its link, how it is related, and its first thumbnail. */
export interface FamilyMember {
  jobId: string;
  /** How the child came from the parent ('variation' | 'upscale' | 'reroll'). */
  relation: string;
  /** The parent's output the child started from (0-based); null for a re-roll. */
  output: number | null;
  thumbnail: AssetRef | null;
}

export interface SearchFilter {
  /** Null: every project of the space is visible to the reader, no need to filter. */
  projectIds: string[] | null;
  /** Parsed words, phrases and alternatives; matched by prefix and by English stem. */
  text?: SearchText;
  characterId?: string;
  /** Platform user id of the author. */
  user?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
  kind?: 'image' | 'video';
  /** The offered model's id. */
  model?: string;
}

export interface GalleryRecords {
  /** Finished generations with at least one file left, newest first, after the keyset. */
  projectPage(projectId: string, after: Keyset | null, limit: number): Promise<GalleryItem[]>;
  search(spaceId: string, filter: SearchFilter, after: Keyset | null, limit: number): Promise<GalleryItem[]>;
  imageDetail(jobId: string): Promise<ImageDetail | null>;
}

