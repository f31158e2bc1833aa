import { eq, and, isNotNull } from 'drizzle-orm';
import type { BackendRecords, BackendRow } from '../core/farm-admin.js';
import type { AuditNote } from '../core/records.js';
import type { Database } from './client.js';
import { writeAudit } from './records.js';
import { backends } from './schema.js';

/** The backends table behind the farm admin service and the workers' drained flags. */
export class PostgresBackendRecords implements BackendRecords {
  constructor(private readonly db: Database) {}

  async list(): Promise<BackendRow[]> {
    const rows = await this.db.select().from(backends).orderBy(backends.name);
    return rows.map((r) => ({ name: r.name, url: r.url, drained: r.drained, addedBy: r.addedBy, addedAt: r.addedAt }));
  }

  async add(row: { name: string; url: string; addedBy: string }, audit: AuditNote): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.insert(backends).values(row).onConflictDoNothing().returning({ name: backends.name });
      if (inserted.length === 0) return false;
      await writeAudit(tx, audit);
      return true;
    });
  }

  async remove(name: string, audit: AuditNote): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const removed = await tx.delete(backends).where(and(eq(backends.name, name), isNotNull(backends.url))).returning({ name: backends.name });
      if (removed.length === 0) return false;
      await writeAudit(tx, audit);
      return true;
    });
  }

  async setDrained(name: string, drained: boolean, audit: AuditNote): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .insert(backends)
        .values({ name, drained })
        .onConflictDoUpdate({ target: backends.name, set: { drained, updatedAt: new Date() } });
      await writeAudit(tx, audit);
    });
  }

  /** The names an admin drained, for the workers (read every probe). */
  async drainedNames(): Promise<Set<string>> {
    const rows = await this.db.select({ name: backends.name }).from(backends).where(eq(backends.drained, true));
    return new Set(rows.map((r) => r.name));
  }
}
