import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { FileMediaStore } from '../../src/worker/media/file-media-store.js';
import { S3MediaStore } from '../../src/worker/media/s3-media-store.js';
import { mediaStoreContract } from '../contract/media-store-contract.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const folders: string[] = [];
let s3: S3TestServer;

beforeAll(async () => {
  s3 = await startS3Server();
});

afterAll(async () => {
  await s3.close();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

mediaStoreContract('local folder', async () => {
  const root = await mkdtemp(join(tmpdir(), 'media-contract-'));
  folders.push(root);
  return {
    store: new FileMediaStore(root),
    async keys() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
    },
  };
});

mediaStoreContract('S3 bucket (s3rver)', async () => {
  const bucket = await s3.newBucket();
  const store = new S3MediaStore({ endpoint: s3.endpoint, bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
  return {
    store,
    async keys() {
      const out = await store.client.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
  };
});
