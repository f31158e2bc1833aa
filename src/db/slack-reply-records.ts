import { and, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { jobs, roleMappings, spaces } from './schema.js';

/** Replies older than this are not resumed: a message two days old is no longer watched. */
const RESUME_WINDOW_MS = 48 * 3600 * 1000;

/** Queries the Slack adapter needs beyond the core's records: resuming replies, the mapped groups. */
export class SlackReplyRecords {
  constructor(private readonly db: Database) {}

  /**
   * Jobs whose Slack reply still needs work after a restart: unfinished ones, and finished ones
   * whose final post has not landed (`reply.landed` is not true).
   */
  async jobsToResume(limit = 500, now = Date.now()): Promise<string[]> {
    const rows = await this.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(
        and(
          eq(jobs.platform, 'slack'),
          sql`${jobs.reply}->>'platform' = 'slack'`,
          gt(jobs.createdAt, new Date(now - RESUME_WINDOW_MS)),
          or(inArray(jobs.status, ['queued', 'running']), sql`coalesce(${jobs.reply}->>'landed', 'false') <> 'true'`),
        ),
      )
      .orderBy(desc(jobs.createdAt))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** Platform roles (user group ids) the workspace's role mapping names. */
  async mappedPlatformRoles(teamId: string): Promise<string[]> {
    const rows = await this.db
      .select({ platformRole: roleMappings.platformRole })
      .from(roleMappings)
      .innerJoin(spaces, eq(spaces.id, roleMappings.spaceId))
      .where(and(eq(spaces.platform, 'slack'), eq(spaces.externalId, teamId)));
    return rows.map((r) => r.platformRole);
  }
}
