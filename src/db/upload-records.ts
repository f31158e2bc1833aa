import { and, eq } from 'drizzle-orm';
import { isUuid } from '../core/ids.js';
import type { UploadRecord, UploadRecords } from '../core/uploads/types.js';
import type { Database } from './client.js';
import { uploads } from './schema.js';

export class PostgresUploadRecords implements UploadRecords {
  constructor(private readonly db: Database) {}

  async createUpload(upload: Omit<UploadRecord, 'createdAt'>): Promise<UploadRecord> {
    const [row] = await this.db.insert(uploads).values(upload).returning();
    if (!row) throw new Error('upload insert returned no row');
    return row;
  }

  async getUpload(spaceId: string, uploadId: string): Promise<UploadRecord | null> {
    if (!isUuid(uploadId)) return null;
    const [row] = await this.db.select().from(uploads).where(and(eq(uploads.id, uploadId), eq(uploads.spaceId, spaceId)));
    return row ?? null;
  }
}
