import type { FastifyInstance } from 'fastify';
import type { GenerateService, Viewer } from '../../core/generate-service.js';
import { fromRecord, isDeleted } from '../../core/job-message/model.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { errorBody } from '../http-errors.js';
import { renderWebView } from '../job-view.js';

export interface RecentJobsApiDeps extends AuthDeps {
  service: Pick<GenerateService, 'recentJobs'>;
  links: MediaLinks;
  projectUrl(viewer: Viewer, projectSlug: string): string;
}

const DEFAULT_LIMIT = 12;
const MAX_LIMIT = 50;

/**
 * GET /api/anime/jobs/recent: the caller's latest jobs, newest first, each as the same `view` its
 * live stream sends (status text, thumbnails, the buttons it offers), so the try page draws the
 * list exactly as it draws the job it follows. A job whose files were deleted has nothing left to
 * show or download and is left out: Delete removes it from the list.
 */
export function registerRecentJobsApi(app: FastifyInstance, deps: RecentJobsApiDeps): void {
  app.get<{ Querystring: { limit?: string } }>('/api/anime/jobs/recent', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const raw = request.query.limit;
    const limit = raw === undefined ? DEFAULT_LIMIT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return reply.code(400).send(errorBody('invalid_input', `limit must be a whole number from 1 to ${MAX_LIMIT}`, { field: 'limit' }));
    }
    const recent = await deps.service.recentJobs(auth.viewer, limit);
    const mediaUrl = (assetId: string) => deps.links.url(assetId);
    const jobs = recent.flatMap(({ job, assets, position }) => {
      const message = fromRecord(job, assets, position);
      if (isDeleted(message)) return [];
      const view = renderWebView(message, { mediaUrl, projectUrl: deps.projectUrl(auth.viewer, job.projectSlug) });
      return [{ job_id: job.id, project: job.projectSlug, kind: job.kind, created_at: job.createdAt.toISOString(), view }];
    });
    return { jobs };
  });
}
