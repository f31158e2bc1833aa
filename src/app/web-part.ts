import type { FastifyInstance } from 'fastify';
import { createWebApp } from '../web/app.js';
import { registerGalleryApi } from '../web/gallery/gallery-api.js';
import { registerAdminApi } from '../web/routes/admin-api.js';
import { registerFarmAdminApi } from '../web/routes/farm-admin-api.js';
import { registerCharacterApi } from '../web/routes/character-api.js';
import { registerFarmApi } from '../web/routes/farm-api.js';
import { registerGalleryRoutes } from '../web/routes/gallery-routes.js';
import { registerProjectApi } from '../web/routes/project-api.js';
import { registerRecipeApi } from '../web/routes/recipe-api.js';
import { registerGenerateApi } from '../web/routes/generate-api.js';
import { registerHealth } from '../web/routes/health.js';
import { registerJobEvents } from '../web/routes/job-events.js';
import { PostgresFarmRecords } from '../db/farm-records.js';
import { ServiceMetrics } from '../infra/metrics.js';
import { registerMetrics } from '../web/routes/metrics.js';
import { registerMedia } from '../web/routes/media.js';
import { registerPreviewMedia } from '../web/routes/preview-media.js';
import { registerModelsApi } from '../web/routes/models-api.js';
import { registerRecentJobsApi } from '../web/routes/recent-jobs-api.js';
import { registerTryPage } from '../web/routes/try-page.js';
import type { Viewer } from '../core/generate-service.js';
import { registerUsageApi } from '../web/routes/usage-api.js';
import { registerUploadApi } from '../web/routes/upload-api.js';
import type { Runtime } from './runtime.js';

/** Builds the HTTP server with every route; `extend` lets other parts (Slack) mount theirs first. */
export async function buildWeb(runtime: Runtime, extend?: (app: FastifyInstance) => Promise<void> | void): Promise<FastifyInstance> {
  const { config, service } = runtime;
  const app = await createWebApp({
    log: runtime.log,
    corsOrigins: config.CORS_ORIGINS,
    https: config.PUBLIC_URL.startsWith('https:'),
    trustProxy: config.TRUST_PROXY,
  });
  const links = runtime.mediaLinks;
  const auth = { tokens: runtime.tokens, failures: runtime.authFailures, identify: (actor: Parameters<typeof service.identify>[0]) => service.identify(actor) };
  const projectUrl = (viewer: Viewer, slug: string) => runtime.galleryLinks.url(viewer, slug);
  registerGenerateApi(app, { ...auth, service, projectUrl, links, publicUrl: config.PUBLIC_URL, log: runtime.log });
  registerRecentJobsApi(app, { ...auth, service, links, projectUrl });
  registerRecipeApi(app, { ...auth, recipes: runtime.recipes });
  registerAdminApi(app, { ...auth, admin: runtime.admin });
  registerFarmAdminApi(app, { ...auth, farm: runtime.farm });
  registerUsageApi(app, { ...auth, usage: runtime.usage });
  registerFarmApi(app, { ...auth, farm: runtime.farmDashboard });
  registerJobEvents(app, { ...auth, service, events: runtime.events, links, previewLinks: runtime.previewLinks, publicUrl: config.PUBLIC_URL, projectUrl });
  registerMedia(app, { links, store: runtime.media, getAsset: (id) => runtime.records.getAsset(id) });
  registerPreviewMedia(app, { links: runtime.previewLinks, previews: runtime.previews });
  registerHealth(app, {
    postgres: async () => {
      await runtime.database.pool.query('SELECT 1');
    },
    redis: async () => {
      await runtime.requestRedis.ping();
    },
  }, () => runtime.backendReports.fresh());
  registerModelsApi(app, { ...auth, models: () => service.models() });
  registerProjectApi(app, { ...auth, projects: runtime.projects, links: runtime.galleryLinks });
  registerCharacterApi(app, { ...auth, characters: runtime.characters });
  await registerUploadApi(app, { ...auth, uploads: runtime.uploads, maxBytes: config.UPLOAD_MAX_BYTES });
  registerGalleryApi(app, { ...auth, gallery: runtime.gallery, links: runtime.galleryLinks, media: links, publicUrl: config.PUBLIC_URL });
  registerGalleryRoutes(app, { gallery: runtime.gallery, characters: runtime.characters, recipes: runtime.recipes, jobs: (id) => runtime.records.getJob(id), links: runtime.galleryLinks, media: links, https: config.PUBLIC_URL.startsWith('https:') });
  registerTryPage(app);
  const metrics = new ServiceMetrics(runtime.requestQueue, { states: runtime.backendStates, records: new PostgresFarmRecords(runtime.database.db) });
  const stopMetrics = await metrics.attach(runtime.events);
  app.addHook('onClose', async () => stopMetrics());
  registerMetrics(app, { ...auth, metrics });
  if (extend) await extend(app);
  return app;
}
