import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, secretValues } from '../../src/config.js';
import { createMediaStore } from '../../src/worker/media/create-media-store.js';
import { FileMediaStore } from '../../src/worker/media/file-media-store.js';
import { S3MediaStore } from '../../src/worker/media/s3-media-store.js';
import { freePort } from '../support/stack.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const SECRET = 'a-very-secret-s3-key-value';
let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3.close();
});

function config(env: Record<string, string>) {
  return loadConfig({ NODE_ENV: 'test', DATA_DIR: '/tmp/ap-s3-startup', APP_SECRET: 'abcdefghijklmnopqrstuvwxyz0123456789', ...env });
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('STORAGE at start', () => {
  test('local stays the default', async () => {
    expect(await createMediaStore(config({}))).toBeInstanceOf(FileMediaStore);
  });

  test('STORAGE=s3 without its settings names each missing variable', () => {
    const error = errorOf(() => config({ STORAGE: 's3', S3_SECRET_ACCESS_KEY: SECRET }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['S3_BUCKET: required when STORAGE=s3', 'S3_ACCESS_KEY_ID: required when STORAGE=s3']);
  });

  test('the S3 secret is one of the values the log scrubber hides', () => {
    const c = config({ STORAGE: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: SECRET, S3_FORCE_PATH_STYLE: 'true' });
    expect(secretValues(c)).toContain(SECRET);
    expect(c.S3_FORCE_PATH_STYLE).toBe(true);
  });

  test('a bucket that does not exist stops the start with one line, without the secret', async () => {
    const c = config({ STORAGE: 's3', S3_ENDPOINT: s3.endpoint, S3_BUCKET: 'no-such-bucket', S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_FORCE_PATH_STYLE: 'true' });
    const error = (await createMediaStore(c).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`S3 at 127.0.0.1:${new URL(s3.endpoint).port} has no bucket "no-such-bucket" (check S3_ENDPOINT, S3_BUCKET, the S3 keys and that S3 is running)`);
  });

  test('an endpoint nobody listens on stops the start with one line, without the secret', async () => {
    const port = await freePort();
    const c = config({ STORAGE: 's3', S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: SECRET, S3_FORCE_PATH_STYLE: 'true' });
    const error = (await createMediaStore(c).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`at 127.0.0.1:${port} is unreachable`);
    expect(error.message).not.toContain(SECRET);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  test('an existing bucket gives the S3 store', async () => {
    const bucket = await s3.newBucket();
    const c = config({ STORAGE: 's3', S3_ENDPOINT: s3.endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_FORCE_PATH_STYLE: 'true' });
    expect(await createMediaStore(c)).toBeInstanceOf(S3MediaStore);
  });
});
