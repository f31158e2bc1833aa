import { randomUUID } from 'node:crypto';
import { fail, ok, refuse, type Outcome } from '../outcome.js';
import { can } from '../policy/permissions.js';
import type { MediaStore } from '../ports.js';
import type { Identity } from '../records.js';
import type { Role } from '../roles.js';
import { uploadStorageKey, type ImageIntake, type UploadRecord, type UploadRecords } from './types.js';

export interface UploadServiceDeps {
  intake: ImageIntake;
  records: UploadRecords;
  media: MediaStore;
  now?: () => Date;
}

/** Who is uploading: a member allowed to generate, in their own space. */
export interface Uploader {
  identity: Identity;
  role: Role;
}

/**
 * Pictures people send in (the API's POST /api/uploads, chat attachments): checked by the intake
 * before a byte is stored, kept in the uploader's space. An upload is only usable in its own space.
 */
export class UploadService {
  constructor(private readonly deps: UploadServiceDeps) {}

  async receive(uploader: Uploader, data: Buffer): Promise<Outcome<UploadRecord>> {
    if (!can({ role: uploader.role, userId: uploader.identity.userId }, 'generate')) return refuse('forbidden', { reason: 'role' });
    const checked = await this.deps.intake.check(data);
    if (!checked.ok) return checked;
    const id = randomUUID();
    const createdAt = this.deps.now?.() ?? new Date();
    const storageKey = uploadStorageKey({ spaceId: uploader.identity.spaceId, createdAt, uploadId: id, ext: checked.value.ext });
    await this.deps.media.put(storageKey, checked.value.data);
    try {
      const { data: bytes, ext: _ext, ...facts } = checked.value;
      return ok(await this.deps.records.createUpload({ id, spaceId: uploader.identity.spaceId, userId: uploader.identity.userId, ...facts, bytes: bytes.length, storageKey }));
    } catch (error) {
      // No row points at the file: it must not stay behind.
      await this.deps.media.remove(storageKey).catch(() => undefined);
      throw error;
    }
  }

  /** An upload of this space, or not_found naming the field that named it. */
  async usable(spaceId: string, uploadId: string, field: string): Promise<Outcome<UploadRecord>> {
    const upload = await this.deps.records.getUpload(spaceId, uploadId);
    return upload ? ok(upload) : fail({ reason: 'upload_unknown', field });
  }
}
