import { and, desc, eq, gt, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { PendingReply } from '../core/records.js';
import type { Database } from './client.js';
import { jobs } from './schema.js';

/** Replies older than this are not resumed: a day-old message is no longer watched. */
const RESUME_WINDOW_MS = 24 * 3600_000;
/** At most this many replies are picked up at one start. */
const RESUME_LIMIT = 1000;

/**
 * The one resume policy for every chat platform: jobs still queued or running, and jobs that ended
 * whose final post has not landed yet (`reply.landed` is not true), of the last day. When more are
 * waiting than the limit, the newest are kept (the ones people still watch); they are handed back
 * oldest first, so the jobs nearest to finishing get their edits first.
 */
export async function repliesToResume(db: Database, platform: string, now = Date.now()): Promise<PendingReply[]> {
  const rows = await db
    .select({ jobId: jobs.id, reply: jobs.reply })
    .from(jobs)
    .where(
      and(
        eq(jobs.platform, platform),
        isNotNull(jobs.reply),
        sql`${jobs.reply} ->> 'platform' = ${platform}`,
        gt(jobs.createdAt, new Date(now - RESUME_WINDOW_MS)),
        or(inArray(jobs.status, ['queued', 'running']), sql`coalesce(${jobs.reply} ->> 'landed', 'false') <> 'true'`),
      ),
    )
    .orderBy(desc(jobs.createdAt))
    .limit(RESUME_LIMIT);
  return rows.reverse();
}
