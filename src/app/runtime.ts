import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { AdmissionControl } from '../core/admission.js';
import { GenerateService } from '../core/generate-service.js';
import type { MediaStore } from '../core/ports.js';
import { openDatabase, type DatabaseHandle } from '../db/client.js';
import { PostgresRecords } from '../db/records.js';
import { PostgresReuseRecords } from '../db/reuse-records.js';
import { templateVersions } from './template-versions.js';
import { RecipeService } from '../core/recipes/recipe-service.js';
import { PostgresWorkflowRecords } from '../db/workflow-records.js';
import { PostgresSpaceAdminRecords } from '../db/space-admin-records.js';
import { PostgresUsageRecords } from '../db/usage-records.js';
import { PostgresUploadRecords } from '../db/upload-records.js';
import { UploadService } from '../core/uploads/upload-service.js';
import { createImageIntake } from '../infra/uploads/image-intake.js';
import { UsageService } from '../core/usage/usage-service.js';
import { SpaceAdminService } from '../core/space-admin.js';
import { CharacterService } from '../core/characters/character-service.js';
import { GalleryService } from '../core/gallery/gallery-service.js';
import { ProjectService } from '../core/projects/project-service.js';
import { PostgresCharacterRecords } from '../db/character-records.js';
import { PostgresProjectRecords } from '../db/project-records.js';
import { PostgresGalleryRecords } from '../db/search-records.js';
import { GalleryLinks } from '../infra/links/gallery-links.js';
import { MediaLinks } from '../infra/links/media-links.js';
import { PreviewLinks } from '../infra/links/preview-links.js';
import { PreviewStore } from '../infra/previews/preview-store.js';
import { AuthFailureLimiter } from '../infra/auth-failures.js';
import { BackendReports } from '../infra/backend-reports.js';
import { BackendStates } from '../infra/backend-states.js';
import { FarmDashboard } from '../core/farm/farm-dashboard.js';
import { PostgresFarmRecords } from '../db/farm-records.js';
import { WaitEstimates } from '../infra/wait-estimates.js';
import { WaitRecords } from '../db/wait-records.js';
import { ReportedModelCatalog } from '../infra/model-catalog.js';
import { RedisEventBus } from '../infra/event-bus.js';
import { BullJobQueue } from '../infra/queue.js';
import { PostgresBackendRecords } from '../db/backend-records.js';
import { FarmAdminService } from '../core/farm-admin.js';
import { BACKEND_NAME, isBackendUrl, serverOf } from '../shared/backend-decls.js';
import { allRoutes } from '../core/routes.js';
import { createRedis, createRequestRedis, untilRedisReady } from '../infra/redis.js';
import { TokenService } from '../infra/tokens.js';
import type { Logger } from '../shared/logger.js';
import { createMediaStore } from '../worker/media/create-media-store.js';
import { createAdmission, createPolicyHooks } from './policy-hooks.js';

/** Everything the parts of the service share, built once per process from the parsed config. */
export interface Runtime {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  records: PostgresRecords;
  redis: Redis;
  /** The fail-fast connection for work done inside a request (see createRequestRedis). */
  requestRedis: Redis;
  queue: BullJobQueue;
  /** The queue as requests see it (enqueue, cancel, metrics): on requestRedis. */
  requestQueue: BullJobQueue;
  events: RedisEventBus;
  admission: AdmissionControl;
  service: GenerateService;
  admin: SpaceAdminService;
  tokens: TokenService;
  authFailures: AuthFailureLimiter;
  media: MediaStore;
  /** Projects: create, list, info, rename, describe, visibility, archive, members, `use`, move. */
  projects: ProjectService;
  /** Reference pictures sent in: checked, stored, usable in their space. */
  uploads: UploadService;
  /** Characters: create, list, show, edit, delete (and the generate service's resolver). */
  characters: CharacterService;
  /** Gallery reads: project grids, image recipes, character pages, search, history. */
  gallery: GalleryService;
  /** Recipes and the workflows jobs sent, for download. */
  recipes: RecipeService;
  /** GPU usage reports (/usage, GET /api/usage); the generate service enforces the quota from the same records. */
  usage: UsageService;
  /** Signed gallery links for chat replies: `galleryLinks.url(viewer, projectSlug)`. */
  galleryLinks: GalleryLinks;
  /** Signed, expiring media links (`/media/<asset>`): the web serves them, the bots post them. */
  mediaLinks: MediaLinks;
  /** Signed, short-lived links to a running job's live preview (`/media/preview/<job>/<seq>`). */
  previewLinks: PreviewLinks;
  /** Live previews as requests read them (on requestRedis); the worker writes through its own. */
  previews: PreviewStore;
  /** The workers' latest backend checks, as requests read them (/readyz, the model list). */
  backendReports: BackendReports;
  /** What each backend does now, as requests read it (the dashboard, the farm API, metrics). */
  backendStates: BackendStates;
  /** The moderators' farm dashboard (GET /api/admin/farm, /dashboard). */
  farmDashboard: FarmDashboard;
  /** Expected start and finish of queued jobs (the service's submit and view, the worker's places in line). */
  waits: WaitEstimates;
  /** The backends table: servers admins added, and every backend's drained flag. */
  backendRecords: PostgresBackendRecords;
  /** Admins list, add, remove, drain and resume the farm's backends (API, /backend). */
  farm: FarmAdminService;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, log: Logger): Promise<Runtime> {
  const database = await openDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const records = new PostgresRecords(database.db);
  const redis = createRedis(config.REDIS_URL, 'anime-production');
  await untilRedisReady(redis, config.REDIS_URL).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  redis.on('error', (error) => log.warn({ err: error }, 'redis connection problem'));
  const routes = allRoutes(config.models.map((m) => m.id));
  const queue = new BullJobQueue(redis, { prefix: config.QUEUE_PREFIX, attempts: config.JOB_ATTEMPTS, routes });
  // Requests (web, bots) answer 503 during a Redis outage instead of waiting for the reconnect; the
  // worker keeps the patient connection above (BullMQ Workers need maxRetriesPerRequest: null).
  const requestRedis = createRequestRedis(config.REDIS_URL, 'anime-production-requests');
  requestRedis.on('error', (error) => log.warn({ err: error }, 'redis connection problem (requests)'));
  const requestQueue = new BullJobQueue(requestRedis, { prefix: config.QUEUE_PREFIX, attempts: config.JOB_ATTEMPTS, routes });
  for (const bull of [queue, requestQueue]) bull.onError((error) => log.debug({ err: error }, 'queue connection problem'));
  const events = new RedisEventBus(redis, config.QUEUE_PREFIX, (error) => log.warn({ err: error }, 'bad job event'));
  const admission = createAdmission(redis, config);
  const media = await createMediaStore(config);
  const projectRecords = new PostgresProjectRecords(database.db, records);
  const backendReports = new BackendReports(requestRedis, config.QUEUE_PREFIX);
  const backendStates = new BackendStates(requestRedis, config.QUEUE_PREFIX);
  const uploadRecords = new PostgresUploadRecords(database.db);
  const characters = new CharacterService({ records: new PostgresCharacterRecords(database.db), projects: projectRecords, uploads: uploadRecords });
  const uploads = new UploadService({
    intake: createImageIntake({ maxBytes: config.UPLOAD_MAX_BYTES, maxPixels: config.UPLOAD_MAX_PIXELS, maxSide: 8192 }),
    records: uploadRecords,
    media,
  });
  const usageRecords = new PostgresUsageRecords(database.db);
  const policy = createPolicyHooks(config);
  const waitRecords = new WaitRecords(database.db);
  const waits = new WaitEstimates(
    {
      measured: () => waitRecords.measured(),
      running: () => waitRecords.running(),
      queued: (limit) => waitRecords.queued(limit),
      states: () => backendStates.all(),
      reports: () => backendReports.fresh(),
    },
    { concurrency: config.WORKER_CONCURRENCY, log },
  );
  const service = new GenerateService({
    characters,
    records,
    queue: requestQueue,
    events,
    admission: createAdmission(requestRedis, config),
    policy,
    usage: usageRecords,
    media,
    maxPromptLength: config.MAX_PROMPT_LENGTH,
    uploads: uploadRecords,
    models: new ReportedModelCatalog(config.models, backendReports, (error) => log.warn({ err: error }, 'could not read the backend checks; models count as unknown')),
    onEventLost: (error) => log.warn({ err: error }, 'could not announce a queued job'),
    waits,
    reuse: { records: new PostgresReuseRecords(database.db), windowHours: config.REUSE_WINDOW_HOURS },
    templates: templateVersions(config),
  });
  const tokens = new TokenService(database.db, config.APP_SECRET);
  const backendRecords = new PostgresBackendRecords(database.db);
  const farm = new FarmAdminService(backendRecords, config.backends, backendStates, { isName: (n) => BACKEND_NAME.test(n), isUrl: isBackendUrl, serverOf });
  const runtime: Runtime = {
    config,
    log,
    database,
    records,
    redis,
    requestRedis,
    queue,
    requestQueue,
    events,
    admission,
    service,
    admin: new SpaceAdminService(new PostgresSpaceAdminRecords(database.db), tokens),
    tokens,
    authFailures: new AuthFailureLimiter(requestRedis, config.QUEUE_PREFIX),
    media,
    projects: new ProjectService({ records: projectRecords, media }),
    characters,
    uploads,
    usage: new UsageService({ records: usageRecords, quotaMinutes: (viewer) => policy.gpuQuotaMinutes?.(viewer.role, viewer.identity) ?? null }),
    recipes: new RecipeService({ records, workflows: new PostgresWorkflowRecords(database.db) }),
    gallery: new GalleryService({ gallery: new PostgresGalleryRecords(database.db), projects: projectRecords, characters }),
    galleryLinks: new GalleryLinks(config.APP_SECRET, config.PUBLIC_URL),
    mediaLinks: new MediaLinks(config.APP_SECRET, config.PUBLIC_URL),
    previewLinks: new PreviewLinks(config.APP_SECRET, config.PUBLIC_URL),
    previews: new PreviewStore(requestRedis, config.QUEUE_PREFIX),
    backendReports,
    backendStates,
    farmDashboard: new FarmDashboard(new PostgresFarmRecords(database.db), backendStates),
    waits,
    backendRecords,
    farm,
    async close() {
      await events.close();
      await queue.close();
      await requestQueue.close();
      await redis.quit().catch(() => redis.disconnect());
      await requestRedis.quit().catch(() => requestRedis.disconnect());
      await database.close();
    },
  };
  return runtime;
}
