import type { JobRecord } from '../../core/records.js';

/** The part of GalleryLinks the final reply needs (runtime.galleryLinks). */
export interface ProjectUrlSigner {
  url(viewer: { spaceId: string; userId: string; role: 'viewer' }, projectSlug: string, options: { now: number }): string;
}

/**
 * The project link in a job's public reply: a signed gallery link (GalleryLinks.url). The reply is
 * seen by the whole channel and may be rendered again after a restart, with no actor at hand, so the
 * pass names the job's author with the least role that can look (viewer): a click never browses
 * with a moderator's sight. Its clock is the job's own (finish, else creation), so every rendering
 * of one state is identical and no edit is re-sent just for a new expiry.
 */
export function replyProjectUrl(links: ProjectUrlSigner, job: Pick<JobRecord, 'spaceId' | 'userId' | 'projectSlug' | 'createdAt' | 'finishedAt'>): string {
  const now = (job.finishedAt ?? job.createdAt).getTime();
  return links.url({ spaceId: job.spaceId, userId: job.userId, role: 'viewer' }, job.projectSlug, { now });
}
