import { and, eq, gt, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { PendingReply } from '../core/records.js';
import type { Database } from './client.js';
import { jobs } from './schema.js';

/**
 * Replies a chat adapter must pick up again after a restart: jobs still queued or running, and jobs
 * that ended whose final post has not landed yet (`reply.landed` is not true). Newest last, so
 * earlier jobs get their edits first; bounded by age so an old, abandoned row never wakes up.
 */
export async function repliesToResume(db: Database, platform: string, since: Date, limit = 1000): Promise<PendingReply[]> {
  const rows = await db
    .select({ jobId: jobs.id, reply: jobs.reply })
    .from(jobs)
    .where(
      and(
        eq(jobs.platform, platform),
        isNotNull(jobs.reply),
        gt(jobs.createdAt, since),
        or(inArray(jobs.status, ['queued', 'running']), sql`coalesce(${jobs.reply} ->> 'landed', 'false') <> 'true'`),
      ),
    )
    .orderBy(jobs.createdAt)
    .limit(limit);
  return rows;
}
