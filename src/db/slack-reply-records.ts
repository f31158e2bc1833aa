import { and, eq } from 'drizzle-orm';
import type { Database } from './client.js';
import { roleMappings, spaces } from './schema.js';

/** Queries the Slack adapter needs beyond the core's records: the mapped groups. */
export class SlackReplyRecords {
  constructor(private readonly db: Database) {}

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
