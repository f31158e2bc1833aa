import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { PreviewStore } from '../../src/infra/previews/preview-store.js';
import { PREVIEW_SEQS_PER_ATTEMPT } from '../../src/worker/previews/preview-feed.js';
import { createRedisNamespace } from '../support/isolation.js';

let namespace: ReturnType<typeof createRedisNamespace>;
let redis: Redis;

beforeEach(async () => {
  namespace = createRedisNamespace();
  redis = new Redis(namespace.url, { maxRetriesPerRequest: 1 });
  await redis.ping();
});

afterEach(async () => {
  await redis.quit();
  await namespace.cleanup();
});

const picture = (byte: number) => ({ mime: 'image/webp', data: Buffer.from([byte, byte, byte]) });

test('a retry\'s previews never read as older than the attempt before: its sequences start above that attempt\'s', async () => {
  const store = new PreviewStore(redis, namespace.prefix);
  expect(await store.put('job', picture(1), 0)).toBe(1);
  expect(await store.put('job', picture(2), 0)).toBe(2);
  // The first attempt ends: its preview goes.
  await store.remove('job');
  expect(await store.get('job')).toBeUndefined();
  // The second attempt's first picture comes after everything the first one announced.
  const seq = await store.put('job', picture(3), PREVIEW_SEQS_PER_ATTEMPT);
  expect(seq).toBe(PREVIEW_SEQS_PER_ATTEMPT + 1);
  expect(await store.get('job')).toEqual({ seq, mime: 'image/webp', data: Buffer.from([3, 3, 3]) });
  // A hash the last attempt failed to remove keeps counting up, still newer than before.
  expect(await store.put('job', picture(4), 0)).toBe(PREVIEW_SEQS_PER_ATTEMPT + 2);
});
