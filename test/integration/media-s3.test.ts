import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '../support/api.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createStubGenerator } from '../support/stub-generator.js';
import { generateAndWait } from './projects-support.js';

let s3: S3TestServer;
let bucket: string;
let stack: TestStack;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server();
  bucket = await s3.newBucket();
  client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  stack = await startTestStack({
    worker: { generator: await createStubGenerator() },
    env: {
      STORAGE: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: bucket,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
  });
});

afterAll(async () => {
  await stack?.close();
  client?.destroy();
  await s3?.close();
});

async function objects(): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

test('STORAGE=s3: a job stores its files in the bucket, the signed link serves them, move and delete follow', async () => {
  const [mod, creator] = await Promise.all([stack.token('mika', 'moderator'), stack.token('carl', 'creator')]);
  await api(stack, 'POST', '/api/projects', mod, { name: 'Keepers' });
  const done = await generateAndWait(stack, creator, { prompt: 'a robot in the rain', project: 'general' });
  const jobId = done.job_id as string;
  const day = (done.created_at as string).slice(0, 10);
  const files = [`${jobId}-0.png`, `${jobId}-0.thumb.webp`, `${jobId}-0.webp`];
  expect(await objects()).toEqual(files.map((f) => `general/${day}/${f}`));

  const first = await fetch(done.images[0].url as string);
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toBe('image/png');
  expect(first.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
  expect((await first.arrayBuffer()).byteLength).toBeGreaterThan(0);

  const moved = await api(stack, 'POST', `/api/anime/generation/${jobId}/move`, mod, { project: 'keepers' });
  expect(moved.json).toEqual({ job_id: jobId, from: 'general', project: 'keepers', files: 3 });
  expect(await objects()).toEqual(files.map((f) => `keepers/${day}/${f}`));
  const after = await api(stack, 'GET', `/api/anime/generation/${jobId}/status`, creator);
  expect((await fetch(after.json.images[0].url as string)).status).toBe(200);

  const deleted = await api(stack, 'DELETE', `/api/anime/generation/${jobId}/images`, mod);
  expect(deleted.status, JSON.stringify(deleted.json)).toBe(200);
  expect(await objects()).toEqual([]);
  expect((await fetch(after.json.images[0].url as string)).status).toBe(404);
});
