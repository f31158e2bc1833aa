import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  customType,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Postgres full-text vector; only ever written by the database (a generated column). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** A Discord guild, a Slack workspace, or the web. */
export const spaces = pgTable(
  'spaces',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    name: text('name').notNull().default(''),
    /** Limits overrides, content policy, NSFW channels: validated by the core's settings schema. */
    settings: jsonb('settings').notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('spaces_platform_external').on(t.platform, t.externalId)],
);

/**
 * One row per platform identity within one space: a name an API token's issuer chose, and a chat
 * user's limits, jobs and memberships, all belong to the space they were used in.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    displayName: text('display_name').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_space_platform_external').on(t.spaceId, t.platform, t.externalId)],
);

/** Platform role (Discord role id, Slack user group id) -> app role, per space. */
export const roleMappings = pgTable(
  'role_mappings',
  {
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    platformRole: text('platform_role').notNull(),
    role: text('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.platformRole] })],
);

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** 'space' (members), 'private' (listed members), 'public' (unguessable link). */
    visibility: text('visibility').notNull().default('space'),
    publicToken: text('public_token'),
    isDefault: boolean('is_default').notNull().default(false),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('projects_space_slug').on(t.spaceId, t.slug),
    uniqueIndex('projects_public_token').on(t.publicToken),
  ],
);

export const projectMembers = pgTable(
  'project_members',
  {
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
);

/** The project a channel uses when /generate names none. */
export const channelProjects = pgTable(
  'channel_projects',
  {
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    channelId: text('channel_id').notNull(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.channelId] })],
);

export const characters = pgTable(
  'characters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    /** Null: usable in every project of the space. */
    projectId: uuid('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    promptFragment: text('prompt_fragment').notNull().default(''),
    negativeFragment: text('negative_fragment').notNull().default(''),
    referenceSeed: bigint('reference_seed', { mode: 'number' }),
    loraName: text('lora_name'),
    loraWeight: real('lora_weight'),
    referenceAssetId: uuid('reference_asset_id'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('characters_space_project_name').on(t.spaceId, t.projectId, t.name),
    // Names are matched case-insensitively; NULL project ids are distinct in a unique index, so
    // space-wide characters need their own.
    uniqueIndex('characters_project_name_ci').on(t.spaceId, t.projectId, sql`lower(${t.name})`).where(sql`project_id IS NOT NULL`),
    uniqueIndex('characters_space_name_ci').on(t.spaceId, sql`lower(${t.name})`).where(sql`project_id IS NULL`),
  ],
);

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    platform: text('platform').notNull(),
    kind: text('kind').notNull().default('image'),
    /** The validated request as the user gave it. */
    request: jsonb('request').notNull(),
    /** The prompt actually sent to the backend (characters merged, space negative appended). */
    promptSent: text('prompt_sent').notNull(),
    negativeSent: text('negative_sent').notNull().default(''),
    seed: bigint('seed', { mode: 'number' }).notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    steps: integer('steps').notNull(),
    count: integer('count').notNull().default(1),
    backend: text('backend'),
    /** queued | running | completed | failed | cancelled */
    status: text('status').notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    stage: text('stage').notNull().default('queued'),
    priority: integer('priority').notNull().default(1),
    attempts: integer('attempts').notNull().default(0),
    errorCode: text('error_code'),
    /** The failure's details as JSON (core/job-failures.ts); rows from before codes had details hold prose here. */
    errorDetails: text('error_message'),
    /** The backend's own account of the failure (an exception's text): for admins, never for chat replies. */
    errorAdminText: text('error_admin_text'),
    errorRef: text('error_ref'),
    /** Where the adapter's reply lives (channel, message, interaction token...), so a restart can resume it. */
    reply: jsonb('reply'),
    /** Characters merged into this job, in the order named (ids; names kept too, for search). */
    characterIds: jsonb('character_ids').$type<string[]>().notNull().default([]),
    characterNames: text('character_names').notNull().default(''),
    /** LoRAs the characters brought, passed to the backend as they were when the job was made. */
    loras: jsonb('loras').$type<Array<{ name: string; weight: number }>>().notNull().default([]),
    /** The offered model's id the job ran on, and its display name then (kept: the config may change). */
    model: text('model').notNull().default(''),
    modelName: text('model_name').notNull().default(''),
    /**
     * sha256 of the canonical recipe (core/recipes/recipe.ts): what an identical request is found
     * by. Null on jobs older than recipes.
     */
    recipeKey: text('recipe_key'),
    /** The template the backend builds from, as a hash of its content ('builtin@<n>' for the built-in renderer). */
    templateVersion: text('template_version').notNull().default(''),
    /**
     * The job whose files answer this one: a finished twin (the job is completed at once) or a
     * twin still rendering (this job waits, queued, and completes with it). Null: rendered itself.
     */
    reusedFrom: uuid('reused_from'),
    /** Re-roll and the like: always rendered, never waits on a twin (and no twin waits on it). */
    alwaysRender: boolean('always_render').notNull().default(false),
    /** How much the requester's reference picture shapes the result (0-1); null: no reference picture. */
    referenceStrength: real('reference_strength'),
    /** The first render failed the quality check and the job was rendered again with a new seed (`seed` is the second one's). */
    qualityRetried: boolean('quality_retried').notNull().default(false),
    /** Quality problems (core/quality.ts codes) of the posted outputs when the re-render failed too: posted with a note. Null: passed. */
    qualityProblems: text('quality_problems').array(),
    /**
     * The job this one was made from (Variations, Upscale, Re-roll of it): the gallery shows them as
     * a family. Null: a request of its own. A parent's row outlives its files (Delete keeps the row).
     */
    parentJobId: uuid('parent_job_id').references((): AnyPgColumn => jobs.id, { onDelete: 'set null' }),
    /** Which of the parent's outputs it started from (0-based); null for a re-roll (the whole request again). */
    parentOutput: integer('parent_output'),
    /** How it came from its parent: 'variation' | 'upscale' | 'reroll'; null without a parent. */
    parentRelation: text('parent_relation'),
    /** Search text: prompt sent plus character names. Stored, so the planner has real statistics. */
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`to_tsvector('simple', coalesce(prompt_sent, '') || ' ' || coalesce(character_names, ''))`,
    ),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('jobs_user_status').on(t.userId, t.status),
    index('jobs_status_created').on(t.status, t.createdAt),
    index('jobs_project_created').on(t.projectId, t.createdAt),
    index('jobs_search_vector').using('gin', t.searchVector),
    index('jobs_characters').using('gin', sql`${t.characterIds} jsonb_path_ops`),
    // Keyset pages of finished work, newest first (scanned backwards): the gallery per project, search per space.
    index('jobs_gallery_project').on(t.projectId, t.createdAt, t.id).where(sql`status = 'completed'`),
    index('jobs_gallery_space').on(t.spaceId, t.createdAt, t.id).where(sql`status = 'completed'`),
    // The dashboard's throughput and wait plots: finished work per minute and hour.
    index('jobs_finished').on(t.finishedAt).where(sql`finished_at IS NOT NULL`),
    // Finished twins of a recipe in a space, newest first (the reuse window is a range on finished_at).
    index('jobs_recipe_done').on(t.spaceId, t.recipeKey, t.finishedAt).where(sql`status = 'completed' AND recipe_key IS NOT NULL`),
    // At most one render of a recipe in flight per project: a second identical request that loses
    // the insert race waits on the first instead of rendering again.
    uniqueIndex('jobs_recipe_inflight')
      .on(t.projectId, t.recipeKey)
      .where(sql`status IN ('queued', 'running') AND reused_from IS NULL AND NOT always_render AND recipe_key IS NOT NULL`),
    // A job page's children, and the status JSON's.
    index('jobs_parent').on(t.parentJobId, t.createdAt).where(sql`parent_job_id IS NOT NULL`),
    index('jobs_waiting_on').on(t.reusedFrom).where(sql`reused_from IS NOT NULL AND status = 'queued'`),
  ],
);

/**
 * The exact ComfyUI workflow (API format) each job's latest attempt sent: what `.../workflow`
 * answers. Built-in jobs have none (the renderer takes the recipe itself).
 */
export const jobWorkflows = pgTable('job_workflows', {
  jobId: uuid('job_id')
    .primaryKey()
    .references(() => jobs.id, { onDelete: 'cascade' }),
  attempt: integer('attempt').notNull(),
  backend: text('backend').notNull(),
  template: text('template').notNull(),
  templateVersion: text('template_version').notNull(),
  workflow: jsonb('workflow').notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One row per stored file: original, WebP derivative, thumbnail. */
export const assets = pgTable(
  'assets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id),
    /** Which output of the job (0-based). */
    outputIndex: integer('output_index').notNull(),
    /** original | webp | thumbnail */
    variant: text('variant').notNull(),
    kind: text('kind').notNull(),
    mime: text('mime').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    qualityScore: real('quality_score'),
    /** Variant 'input': the upload this copy of a reference picture came from (null once the upload is gone). */
    sourceUploadId: uuid('source_upload_id'),
    /** Variant 'input': the character whose reference picture it is; null for the requester's own reference. */
    characterId: uuid('character_id'),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('assets_job_output_variant').on(t.jobId, t.outputIndex, t.variant),
    // Not unique: a reused job's rows point at the files of the job it reused (delete keeps a file
    // while another live row still names it).
    index('assets_storage_key').on(t.storageKey),
    index('assets_project_created').on(t.projectId, t.createdAt, t.id),
  ],
);

/**
 * Pictures people sent in (POST /api/uploads, a chat attachment): checked, re-encoded without
 * metadata, kept under `_uploads/<space>/<day>/<id>.<ext>`. A job that uses one gets its own copy
 * as an `input` asset; a character's reference pictures point here.
 */
export const uploads = pgTable(
  'uploads',
  {
    id: uuid('id').primaryKey(),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    mime: text('mime').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('uploads_storage_key').on(t.storageKey), index('uploads_space_created').on(t.spaceId, t.createdAt)],
);

/** A character's reference pictures, in the order they were attached. */
export const characterReferences = pgTable(
  'character_references',
  {
    characterId: uuid('character_id')
      .notNull()
      .references(() => characters.id, { onDelete: 'cascade' }),
    uploadId: uuid('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.characterId, t.uploadId] })],
);

/** API tokens issued, so they can be listed and revoked by id (the JWT's jti). */
export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey(),
  spaceId: uuid('space_id')
    .notNull()
    .references(() => spaces.id),
  subject: text('subject').notNull(),
  role: text('role').notNull(),
  issuedBy: text('issued_by').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    spaceId: uuid('space_id').references(() => spaces.id),
    actorUserId: uuid('actor_user_id').references(() => users.id),
    /** e.g. 'role_mapping.set', 'generate.refused', 'token.issued', 'token.revoked'. */
    action: text('action').notNull(),
    target: text('target').notNull().default(''),
    details: jsonb('details').notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('audit_space_created').on(t.spaceId, t.createdAt)],
);

/**
 * One row per attempt at a job, written by the worker when the attempt starts and completed when it
 * ends (a crashed attempt's row is closed by the next claim or the stalled-job path). The owner,
 * project and space are copied from the job at the start: GPU time stays where it was spent even
 * if the image is moved later. `gpu_ms` is the time the backend worked on the prompt (see
 * docs/decisions.md); the day an attempt counts for is the UTC day of `ended_at`.
 */
export const jobAttempts = pgTable(
  'job_attempts',
  {
    id: uuid('id').primaryKey(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    /** BullMQ's attempt number; a hand-back (shutdown, crash) runs again under the same number. */
    attempt: integer('attempt').notNull(),
    /** The generator's name: 'builtin', or the ComfyUI backend's configured name. */
    backend: text('backend').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the backend began working on the prompt (ComfyUI: execution_start); null if it never did. */
    gpuStartedAt: timestamp('gpu_started_at', { withTimezone: true }),
    /** Null while the attempt runs. */
    endedAt: timestamp('ended_at', { withTimezone: true }),
    gpuMs: bigint('gpu_ms', { mode: 'number' }).notNull().default(0),
    /** completed | failed | cancelled | interrupted; null while the attempt runs. */
    outcome: text('outcome'),
  },
  (t) => [
    index('job_attempts_job').on(t.jobId, t.attempt),
    // Daily sums per user (the quota check on every generate), project and space: range scans on
    // ended_at with gpu_ms in the index, so the sum never reads the table.
    index('job_attempts_user_day').on(t.userId, t.endedAt, t.gpuMs),
    index('job_attempts_project_day').on(t.projectId, t.endedAt, t.gpuMs),
    index('job_attempts_space_day').on(t.spaceId, t.endedAt, t.gpuMs),
    // The dashboard's busy share per backend: attempts ended in the last hour, and running ones (null).
    index('job_attempts_ended').on(t.endedAt),
  ],
);

/**
 * The farm's backends as admins manage them (API, /backend): servers added by URL, and the drained
 * flag of every backend by name, env-declared ones (COMFYUI_URLS) included (their url is null).
 */
export const backends = pgTable('backends', {
  name: text('name').primaryKey(),
  /** Null for a backend declared in the environment: the row holds only its drained flag. */
  url: text('url'),
  drained: boolean('drained').notNull().default(false),
  /** Who added it (an app user id); null for env-declared rows. */
  addedBy: uuid('added_by').references(() => users.id),
  addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
