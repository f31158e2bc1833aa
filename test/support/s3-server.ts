/**
 * A real S3-compatible server (s3rver) on a free port with its own temp dir, for one test file.
 * Each test asks for its own bucket, so tests never see each other's objects.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';

export interface S3TestServer {
  endpoint: string;
  /** s3rver checks signatures against these fixed credentials. */
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  newBucket(): Promise<string>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory }) as {
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  };
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const admin = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  return {
    endpoint,
    ...credentials,
    region: 'us-east-1',
    async newBucket() {
      const bucket = `t-${randomUUID().slice(0, 18)}`;
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    async close() {
      admin.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
