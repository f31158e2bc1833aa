import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { UserLimits } from '../../src/core/policy/user-limits.js';
import { RedisLimiter, type RedisLimiterOptions } from '../../src/infra/limits/redis-limiter.js';
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

const roomy: UserLimits = { ratePerMinute: 100_000, burst: 1_000, maxPending: 1_000 };

function limiter(options: Partial<RedisLimiterOptions> = {}): RedisLimiter {
  return new RedisLimiter(redis, namespace.prefix, { maxQueue: 10_000, ...options });
}

async function admitMany(subject: RedisLimiter, userKey: string, limits: UserLimits, count: number) {
  const results = [];
  for (let i = 0; i < count; i += 1) results.push(await subject.admit({ userKey, jobId: randomUUID(), limits }));
  return results;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate limit', () => {
  test('admits burst + 1 at once, then refuses with the wait until the next interval', async () => {
    const limits = { ratePerMinute: 60, burst: 2, maxPending: 100 };
    const results = await admitMany(limiter(), 'alice', limits, 4);
    expect(results.slice(0, 3).every((r) => r.ok)).toBe(true);
    const refused = results[3];
    expect(refused).toMatchObject({ ok: false, limit: 'rate' });
    if (refused?.ok !== false) throw new Error('expected a refusal');
    // One interval is 1000 ms; some of it has already passed.
    expect(refused.retryAfterMs).toBeGreaterThan(500);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
  });

  test('the same user is admitted again once retryAfterMs has passed', async () => {
    const subject = limiter();
    const limits = { ratePerMinute: 600, burst: 0, maxPending: 100 };
    expect((await subject.admit({ userKey: 'bob', jobId: 'j1', limits })).ok).toBe(true);
    const refused = await subject.admit({ userKey: 'bob', jobId: 'j2', limits });
    if (refused.ok) throw new Error('expected a refusal');
    expect(refused.limit).toBe('rate');
    expect(refused.retryAfterMs).toBeLessThanOrEqual(100);
    await sleep(refused.retryAfterMs + 20);
    expect((await subject.admit({ userKey: 'bob', jobId: 'j2', limits })).ok).toBe(true);
  });

  test('users have separate buckets, and refusals consume nothing', async () => {
    const subject = limiter();
    const limits = { ratePerMinute: 1, burst: 1, maxPending: 100 };
    const alice = await admitMany(subject, 'alice', limits, 5);
    expect(alice.filter((r) => r.ok)).toHaveLength(2);
    expect(await subject.pendingCount('alice')).toBe(2);
    expect(await subject.queueSize()).toBe(2);
    const carol = await admitMany(subject, 'carol', limits, 2);
    expect(carol.every((r) => r.ok)).toBe(true);
  });

  test('a repeated job id is admitted once and uses no more of the rate', async () => {
    const subject = limiter();
    const limits = { ratePerMinute: 1, burst: 1, maxPending: 100 };
    expect(await subject.admit({ userKey: 'dan', jobId: 'same', limits })).toEqual({ ok: true, pendingBefore: 0 });
    expect(await subject.admit({ userKey: 'dan', jobId: 'same', limits })).toEqual({ ok: true, pendingBefore: 0 });
    expect(await subject.admit({ userKey: 'dan', jobId: 'other', limits })).toEqual({ ok: true, pendingBefore: 1 });
    expect(await subject.admit({ userKey: 'dan', jobId: 'third', limits })).toMatchObject({ ok: false, limit: 'rate' });
    expect(await subject.pendingCount('dan')).toBe(2);
  });
});

describe('pending and queue caps', () => {
  test('per-user pending cap refuses with a retry hint and reopens on release', async () => {
    const subject = limiter({ pendingRetryAfterMs: 7_000 });
    const limits = { ...roomy, maxPending: 2 };
    expect(await subject.admit({ userKey: 'erin', jobId: 'a', limits })).toEqual({ ok: true, pendingBefore: 0 });
    expect(await subject.admit({ userKey: 'erin', jobId: 'b', limits })).toEqual({ ok: true, pendingBefore: 1 });
    expect(await subject.admit({ userKey: 'erin', jobId: 'c', limits })).toEqual({ ok: false, limit: 'pending', retryAfterMs: 7_000 });
    expect(await subject.admit({ userKey: 'frank', jobId: 'd', limits })).toMatchObject({ ok: true });
    expect(await subject.release('erin', 'a')).toBe(true);
    expect(await subject.admit({ userKey: 'erin', jobId: 'c', limits })).toEqual({ ok: true, pendingBefore: 1 });
  });

  test('global queue cap refuses everyone once full', async () => {
    const subject = limiter({ maxQueue: 3, queueRetryAfterMs: 30_000 });
    for (const user of ['u1', 'u2', 'u3']) expect((await subject.admit({ userKey: user, jobId: `${user}-job`, limits: roomy })).ok).toBe(true);
    expect(await subject.admit({ userKey: 'u4', jobId: 'u4-job', limits: roomy })).toEqual({ ok: false, limit: 'queue', retryAfterMs: 30_000 });
    await subject.release('u2', 'u2-job');
    expect((await subject.admit({ userKey: 'u4', jobId: 'u4-job', limits: roomy })).ok).toBe(true);
  });

  test('release is idempotent and never touches other jobs', async () => {
    const subject = limiter();
    await subject.admit({ userKey: 'gina', jobId: 'g1', limits: roomy });
    await subject.admit({ userKey: 'gina', jobId: 'g2', limits: roomy });
    await subject.admit({ userKey: 'hank', jobId: 'h1', limits: roomy });
    expect(await subject.release('gina', 'g1')).toBe(true);
    expect(await subject.release('gina', 'g1')).toBe(false);
    expect(await subject.release('gina', 'never-admitted')).toBe(false);
    expect(await subject.pendingCount('gina')).toBe(1);
    expect(await subject.pendingCount('hank')).toBe(1);
    expect(await subject.queueSize()).toBe(2);
  });

  test('entries older than staleAfterMs stop counting (a process died before release)', async () => {
    const subject = limiter({ staleAfterMs: 200, maxQueue: 1 });
    const limits = { ...roomy, maxPending: 1 };
    expect((await subject.admit({ userKey: 'ivy', jobId: 'lost', limits })).ok).toBe(true);
    expect(await subject.admit({ userKey: 'ivy', jobId: 'next', limits })).toMatchObject({ ok: false, limit: 'pending' });
    await sleep(300);
    expect((await subject.admit({ userKey: 'ivy', jobId: 'next', limits })).ok).toBe(true);
  });

  test('keys live under the prefix only', async () => {
    await limiter().admit({ userKey: 'jo', jobId: 'j', limits: roomy });
    // SCAN returns a slice of the keyspace per call; follow the cursor to the end.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${namespace.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`${namespace.prefix}:limits:`))).toBe(true);
  });
});

describe('two processes at once', () => {
  const fixture = fileURLToPath(new URL('./fixtures/limits-load.ts', import.meta.url));
  const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
  const USERS = 100;
  const PER_PROCESS = 10;

  function startLoad(limits: UserLimits, maxQueue: number) {
    const plan = { redisUrl: namespace.url, prefix: namespace.prefix, users: USERS, requestsPerUser: PER_PROCESS, limits, maxQueue };
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(plan)], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    let onReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith('ready\n')) onReady();
    });
    const done = new Promise<Record<string, number>>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`load process exited with ${code}`));
        resolve(JSON.parse(output.slice('ready\n'.length)) as Record<string, number>);
      });
    });
    return { ready, done, go: () => child.stdin.end('go\n') };
  }

  /** Both processes fire 100 users x 10 requests at the same moment; returns admitted per user. */
  async function race(limits: UserLimits, maxQueue = 100_000): Promise<number[]> {
    const processes = [startLoad(limits, maxQueue), startLoad(limits, maxQueue)];
    await Promise.all(processes.map((p) => p.ready));
    for (const p of processes) p.go();
    const [first, second] = await Promise.all(processes.map((p) => p.done));
    return Array.from({ length: USERS }, (_, i) => (first?.[`user-${i}`] ?? 0) + (second?.[`user-${i}`] ?? 0));
  }

  // ratePerMinute 1: no interval can pass during the race, so the burst alone decides.
  test('rate limit: every user gets exactly burst + 1 of 20', async () => {
    const admitted = await race({ ratePerMinute: 1, burst: 11, maxPending: 1_000 });
    expect(admitted).toEqual(Array.from({ length: USERS }, () => 12));
  }, 60_000);

  test('rate limit above 20: every user gets all 20', async () => {
    const admitted = await race({ ratePerMinute: 1, burst: 29, maxPending: 1_000 });
    expect(admitted).toEqual(Array.from({ length: USERS }, () => 20));
  }, 60_000);

  test('pending cap: every user gets exactly the cap', async () => {
    const admitted = await race({ ...roomy, maxPending: 7 });
    expect(admitted).toEqual(Array.from({ length: USERS }, () => 7));
  }, 60_000);

  test('global cap: exactly the cap is admitted in total, no user above their own limits', async () => {
    const admitted = await race({ ...roomy, maxPending: 20 }, 500);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(500);
    expect(Math.max(...admitted)).toBeLessThanOrEqual(20);
  }, 60_000);
});
