import { and, desc, eq, lt } from 'drizzle-orm';
import type { SpaceSettings } from '../core/policy/space-settings.js';
import type { Role } from '../core/roles.js';
import type { AuditNote } from '../core/records.js';
import type { AuditEntry, SpaceAdminRecords } from '../core/space-admin.js';
import type { Database } from './client.js';
import { writeAudit } from './records.js';
import { auditLog, roleMappings, spaces, users } from './schema.js';

export class PostgresSpaceAdminRecords implements SpaceAdminRecords {
  constructor(private readonly db: Database) {}

  async listRoleMappings(spaceId: string): Promise<Array<{ platformRole: string; role: string }>> {
    return this.db
      .select({ platformRole: roleMappings.platformRole, role: roleMappings.role })
      .from(roleMappings)
      .where(eq(roleMappings.spaceId, spaceId))
      .orderBy(roleMappings.platformRole);
  }

  async setRoleMapping(spaceId: string, platformRole: string, role: Role | null, audit: AuditNote): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (role === null) {
        await tx.delete(roleMappings).where(and(eq(roleMappings.spaceId, spaceId), eq(roleMappings.platformRole, platformRole)));
      } else {
        await tx
          .insert(roleMappings)
          .values({ spaceId, platformRole, role })
          .onConflictDoUpdate({ target: [roleMappings.spaceId, roleMappings.platformRole], set: { role } });
      }
      await writeAudit(tx, audit);
    });
  }

  async getSettings(spaceId: string): Promise<unknown> {
    const [row] = await this.db.select({ settings: spaces.settings }).from(spaces).where(eq(spaces.id, spaceId));
    return row?.settings ?? {};
  }

  async saveSettings(spaceId: string, settings: SpaceSettings, audit: AuditNote): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.update(spaces).set({ settings }).where(eq(spaces.id, spaceId));
      await writeAudit(tx, audit);
    });
  }

  async listAudit(spaceId: string, query: { limit: number; beforeId?: number; action?: string }): Promise<AuditEntry[]> {
    const conditions = [eq(auditLog.spaceId, spaceId)];
    if (query.beforeId) conditions.push(lt(auditLog.id, query.beforeId));
    if (query.action) conditions.push(eq(auditLog.action, query.action));
    const rows = await this.db
      .select({ entry: auditLog, actor: users.externalId, actorPlatform: users.platform })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorUserId))
      .where(and(...conditions))
      .orderBy(desc(auditLog.id))
      .limit(query.limit);
    return rows.map((r) => ({
      id: r.entry.id,
      action: r.entry.action,
      target: r.entry.target,
      actor: r.actor ? `${r.actorPlatform}:${r.actor}` : null,
      details: r.entry.details as Record<string, unknown>,
      createdAt: r.entry.createdAt,
    }));
  }

  async audit(entry: AuditNote): Promise<void> {
    await writeAudit(this.db, entry);
  }
}
