import type { AssetRecord, JobRecord } from '../../src/core/records.js';

export const JOB_ID = '00000000-0000-4000-8000-000000000001';

/** A job record as the database returns it; override what the test is about. */
export function jobRecord(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id: JOB_ID, spaceId: 'space-1', projectId: 'p', projectSlug: 'general', userId: 'u', userExternalId: 'U42',
    platform: 'test', kind: 'image', status: 'queued', progress: 0, stage: '', promptSent: 'hero fragment, a cat', negativeSent: '', seed: 7,
    width: 512, height: 768, steps: 20, count: 1, priority: 1, attempts: 0, backend: null, errorCode: null, errorDetails: null, errorAdminText: null,
    errorRef: null, reply: null, request: { prompt: 'a cat' }, createdAt: new Date(1_000), startedAt: null, finishedAt: null,
    ...overrides,
  };
}

/** The three files the worker keeps for output 0 (original PNG, WebP, thumbnail). */
export function assetRecords(jobId = JOB_ID): AssetRecord[] {
  const base = { jobId, projectId: 'p', outputIndex: 0, kind: 'image' as const, width: 512, height: 768, sha256: 'x', createdAt: new Date(2_000) };
  return [
    { ...base, id: 'a-orig', variant: 'original', mime: 'image/png', bytes: 500_000, storageKey: 'p/2026-01-01/j-0.png' },
    { ...base, id: 'a-webp', variant: 'webp', mime: 'image/webp', bytes: 80_000, storageKey: 'p/2026-01-01/j-0.webp' },
    { ...base, id: 'a-thumb', variant: 'thumbnail', mime: 'image/webp', bytes: 9_000, storageKey: 'p/2026-01-01/j-0.thumb.webp' },
  ];
}

export function completedRecord(overrides: Partial<JobRecord> = {}): JobRecord {
  return jobRecord({ status: 'completed', progress: 100, stage: 'done', attempts: 1, backend: 'builtin', startedAt: new Date(1_500), finishedAt: new Date(4_000), ...overrides });
}
