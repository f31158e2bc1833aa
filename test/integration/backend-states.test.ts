import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { BackendStatus } from '../../src/core/farm-state.js';
import { BackendStates } from '../../src/infra/backend-states.js';
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

function status(name: string, patch: Partial<BackendStatus> = {}): BackendStatus {
  return { name, kind: 'comfyui', state: 'idle', since: 1_000, worker: 'host:1:abc', templates: ['txt2img'], models: ['anime'], updatedAt: 1_000, freshUntil: 10_000, ...patch };
}

test('a written status reads back by name; a later write replaces it', async () => {
  const states = new BackendStates(redis, namespace.prefix);
  await states.put(status('gpu-b'));
  await states.put(status('gpu-a'));
  await states.put(status('gpu-b', { state: 'busy', jobId: 'j1', since: 2_000 }));
  const all = await states.all(5_000);
  expect(all.map((s) => [s.name, s.state, s.jobId])).toEqual([
    ['gpu-a', 'idle', undefined],
    ['gpu-b', 'busy', 'j1'],
  ]);
});

test('a status past its freshUntil is dropped, and so is an unreadable one', async () => {
  const states = new BackendStates(redis, namespace.prefix);
  await states.put(status('old', { freshUntil: 4_000 }));
  await states.put(status('live'));
  await redis.hset(`${namespace.prefix}:farm:backends`, 'junk', '{not json');
  expect((await states.all(5_000)).map((s) => s.name)).toEqual(['live']);
  expect(await redis.hkeys(`${namespace.prefix}:farm:backends`)).toEqual(['live']);
});

test('remove takes a backend out', async () => {
  const states = new BackendStates(redis, namespace.prefix);
  await states.put(status('gpu-a'));
  await states.remove('gpu-a');
  expect(await states.all(5_000)).toEqual([]);
});
