import type { Actor } from './actor.js';
import type { LoraSpec } from './generator.js';
import type { Visibility } from './projects/types.js';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobRecord {
  id: string;
  spaceId: string;
  projectId: string;
  projectSlug: string;
  userId: string;
  /** The platform identity of the owner, for adapters that must name or ping-free mention them. */
  userExternalId: string;
  platform: string;
  kind: 'image' | 'video';
  status: JobStatus;
  progress: number;
  stage: string;
  promptSent: string;
  negativeSent: string;
  seed: number;
  width: number;
  height: number;
  steps: number;
  count: number;
  priority: number;
  attempts: number;
  backend: string | null;
  errorCode: string | null;
  /** The failure's details, JSON (see job-failures.ts); older rows may hold prose, which is not shown. */
  errorDetails: string | null;
  /** The backend's own account of the failure, for admins only (never in a chat reply or a non-admin API answer). */
  errorAdminText: string | null;
  errorRef: string | null;
  reply: unknown;
  /** The validated request as the user gave it (re-roll starts from it). */
  request: unknown;
  /** Characters merged into the prompt, in the order named; optional so older fixtures still build. */
  characterIds?: string[];
  /** LoRAs the characters brought, for the backend. */
  loras?: LoraSpec[];
  /** The offered model's id the job runs on, and its display name then ('' on jobs older than models). */
  model?: string;
  modelName?: string;
  /** Names of the characters merged in, as they were when the job was made. */
  characterNames?: string[];
  /** sha256 of the job's recipe (core/recipes/recipe.ts); null on jobs older than recipes. */
  recipeKey?: string | null;
  /** What the backend builds from (a template's content hash; 'builtin@<n>'). */
  templateVersion?: string;
  /** The job whose files answer this one (a finished or still rendering twin); null: rendered itself. */
  reusedFrom?: string | null;
  /** Always rendered (re-roll): never answered by a twin, and no twin waits on it. */
  alwaysRender?: boolean;
  /** How much the reference pictures shape the result (0-1); null or absent: the job has none. */
  referenceStrength?: number | null;
  /** The first render failed the quality check and the job was rendered again with a new seed. */
  qualityRetried?: boolean;
  /** Quality problem codes (core/quality.ts) of the posted outputs when the re-render failed too; null or absent: passed. */
  qualityProblems?: string[] | null;
  /** The job it was made from (Variations, Upscale, Re-roll); null or absent: a request of its own. */
  parent?: JobParent | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** How a job came from another: a variation or an upscale of one output, or a re-roll of the request. */
export type FamilyRelation = 'variation' | 'upscale' | 'reroll';

export interface JobParent {
  jobId: string;
  /** The parent's output it started from (0-based); null for a re-roll. */
  output: number | null;
  relation: FamilyRelation;
}

/** A job as the service records it: the request's facts, before the record adds status and timings. */
export type NewJob = Pick<
  JobRecord,
  'id' | 'spaceId' | 'projectId' | 'userId' | 'platform' | 'kind' | 'request' | 'promptSent' | 'negativeSent' | 'seed' | 'width' | 'height' | 'steps' | 'count' | 'priority' | 'characterIds' | 'loras' | 'model' | 'modelName' | 'referenceStrength' | 'recipeKey' | 'templateVersion' | 'reusedFrom' | 'alwaysRender' | 'parent'
> & {
  reply?: unknown;
  /** The job's copies of its reference pictures, recorded with it as `input` assets (files already stored). */
  inputs?: NewJobInput[];
  /** Names as they were at generation time: searchable even after a character is renamed or deleted. */
  characterNames?: string[];
};

/** One reference picture as a job keeps it: its own copy, an `input` asset. */
/** What the store says of any stored picture or clip: an output, a job's input, an upload. */
export interface StoredFile {
  mime: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  storageKey: string;
}

export interface NewJobInput extends StoredFile {
  id: string;
  /** Its place in what the backend receives (0 first). */
  index: number;
  /** The upload it was copied from; null when it is another job's output (a variation's or upscale's start). */
  uploadId: string | null;
  /** The character it belongs to; null for the requester's own picture. */
  characterId: string | null;
}

/** An input asset as recorded. */
export interface JobInputRecord extends NewJobInput {
  jobId: string;
}

export interface Identity {
  spaceId: string;
  spaceSettings: unknown;
  userId: string;
  /** Platform role id -> app role, from the space's mapping. */
  roleMapping: ReadonlyMap<string, string>;
}

export interface ProjectRef {
  id: string;
  slug: string;
  name: string;
}

/** A project with what canSeeProject needs to decide whether this user may use it. */
export interface ProjectForJob extends ProjectRef {
  spaceId: string;
  visibility: Visibility;
  /** On the project's member list (matters for private projects). */
  isMember: boolean;
}

export interface AssetRecord extends StoredFile {
  id: string;
  jobId: string;
  projectId: string;
  outputIndex: number;
  variant: 'original' | 'webp' | 'thumbnail';
  kind: 'image' | 'video';
  createdAt: Date;
}

/** What the generate service needs from the system of record. Implemented over Postgres in src/db. */
export interface GenerateRecords {
  ensureIdentity(actor: Actor): Promise<Identity>;
  /**
   * The named project, or the channel's / space's default (created on first use), as `userId` sees
   * it (membership). Null when named and missing or archived; the caller applies canSeeProject.
   */
  resolveProject(spaceId: string, userId: string, slug: string | undefined, channelId: string | undefined): Promise<ProjectForJob | null>;
  /**
   * Null when an identical recipe is already rendering in the project (a job that renders itself
   * and may be waited on): the caller then waits on that one instead.
   */
  createJob(job: NewJob, context: { projectSlug: string; userExternalId: string }): Promise<JobRecord | null>;
  getJob(jobId: string): Promise<JobRecord | null>;
  /** 1-based place in line among queued jobs, following the queue's own order. */
  queuePosition(job: JobRecord): Promise<number>;
  /** Queued or running -> cancelled. False when the job had already ended. */
  /** Cancels a queued or running job; its audit note commits with it. */
  cancelJob(jobId: string, audit: AuditNote): Promise<boolean>;
  /** The job's outputs (original, WebP, thumbnail); its inputs are listInputs'. */
  listAssets(jobId: string): Promise<AssetRecord[]>;
  /** The live assets of several jobs in one read (a list page), in listAssets' order per job. */
  listAssetsOf(jobIds: readonly string[]): Promise<Map<string, AssetRecord[]>>;
  /** The reference pictures the job was made with, in the order the backend received them. */
  listInputs(jobId: string): Promise<JobInputRecord[]>;
  /** Jobs of a space, newest first; only one user's when userId is given. */
  /** `withoutDeleted`: leave out completed jobs none of whose outputs is kept (their files were deleted). */
  listJobs(query: { spaceId: string; userId?: string; statuses?: JobRecord['status'][]; limit: number; withoutDeleted?: boolean }): Promise<JobRecord[]>;
  /** Jobs made from this one (its variations, upscales, re-rolls), oldest first. */
  listChildren(jobId: string, limit: number): Promise<JobRecord[]>;
  /** Marks a job's files deleted and returns their storage keys for removal. */
  /** Marks a job's files deleted and returns their keys; the audit note (given the file count) commits with it. */
  deleteAssets(jobId: string, audit: AuditNote): Promise<string[]>;
  /** Where the adapter's reply lives, so any process can resume it after a restart. */
  setReply(jobId: string, reply: unknown): Promise<void>;
  audit(entry: AuditNote): Promise<void>;
}

/** One audit_log row: who did what to which target. Changes hand theirs to the records so both commit together. */
export interface AuditNote {
  spaceId: string | null;
  actorUserId: string | null;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

/** A job whose chat reply an adapter must pick up again after a restart, with its stored handle. */
export interface PendingReply {
  jobId: string;
  reply: unknown;
}
