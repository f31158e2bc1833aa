import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditLog, jobs } from '../../src/db/schema.js';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { RATE_LIMIT_PER_MINUTE: '2', RATE_LIMIT_BURST: '0', MAX_PENDING_PER_USER: '50' } });
});
afterAll(async () => {
  await stack.close();
});

function call(method: string, path: string, token: string | undefined, body?: unknown) {
  return api(stack, method, path, token, body);
}

describe('role checks', () => {
  test('a viewer may not generate; nothing is queued', async () => {
    const before = await stack.database.db.$count(jobs);
    const result = await call('POST', '/api/anime/generate', await stack.token('watcher', 'viewer'), { prompt: 'a cat' });
    expect(result.status).toBe(403);
    expect(result.json.error.code).toBe('forbidden');
    expect(await stack.database.db.$count(jobs)).toBe(before);
  });

  test('admin routes refuse creators and moderators', async () => {
    for (const role of ['creator', 'moderator'] as const) {
      const token = await stack.token(`not-admin-${role}`, role);
      expect((await call('GET', '/api/admin/audit', token)).status).toBe(403);
      expect((await call('PUT', '/api/admin/roles', token, { platform_role: 'r1', role: 'admin' })).status).toBe(403);
      expect((await call('POST', '/api/admin/tokens', token, { user: 'x', role: 'creator' })).status).toBe(403);
    }
  });
});

describe('content policy', () => {
  test('a refused prompt is not queued, says why, and is audit-logged', async () => {
    const before = await stack.database.db.$count(jobs);
    const result = await call('POST', '/api/anime/generate', await stack.token('asker'), { prompt: 'n.u.d.e l0li' });
    expect(result.status).toBe(422);
    expect(result.json.error).toMatchObject({ code: 'content_refused', reason: 'minors' });
    expect(await stack.database.db.$count(jobs)).toBe(before);
    const audit = await call('GET', '/api/admin/audit?action=generate.refused', await stack.token('boss', 'admin'));
    expect(audit.json.entries.some((e: { details: { reason: string } }) => e.details.reason === 'minors')).toBe(true);
  });

  test('an admin blocklist applies to the next request, with spacing tricks folded', async () => {
    const admin = await stack.token('boss', 'admin');
    const patched = await call('PATCH', '/api/admin/settings', admin, { content: { blocklist: ['mecha'], negativePrompt: 'lowres' } });
    expect(patched.status).toBe(200);
    const refused = await call('POST', '/api/anime/generate', await stack.token('pilot'), { prompt: 'a giant M E C H A robot' });
    expect(refused.json.error?.reason).toBe('blocklist');
    // The space's negative prompt is appended to every job's own.
    const pilot = await stack.token('pilot2');
    const accepted = await call('POST', '/api/anime/generate', pilot, { prompt: 'a paper crane', negative_prompt: 'blurry' });
    expect(accepted.status).toBe(202);
    const status = await call('GET', `/api/anime/generation/${accepted.json.job_id as string}/status`, pilot);
    expect(status.json.negative_prompt).toBe('blurry, lowres');
    const bad = await call('PATCH', '/api/admin/settings', admin, { content: { patterns: ['(a+)+$'] } });
    expect(bad.status).toBe(400);
  });
});

describe('limits', () => {
  test('the per-user rate says when to retry and queues nothing more', async () => {
    const token = await stack.token('speedy');
    const first = await call('POST', '/api/anime/generate', token, { prompt: 'a fox' });
    expect(first.status).toBe(202);
    const second = await call('POST', '/api/anime/generate', token, { prompt: 'a fox' });
    expect(second.status).toBe(429);
    expect(second.json.error).toMatchObject({ code: 'rate_limited', reason: 'rate' });
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(second.json.error.retry_after_ms).toBeGreaterThan(0);
  });
});

describe('limit overrides', () => {
  test('an admin gives moderators a higher rate than creators in this space', async () => {
    const admin = await stack.token('boss', 'admin');
    const patched = await call('PATCH', '/api/admin/settings', admin, { limits: { ratePerMinute: 1, burst: 0, overrides: { moderator: { ratePerMinute: 100, burst: 5 } } } });
    expect(patched.status).toBe(200);
    const creator = await stack.token('plain-creator', 'creator');
    const moderator = await stack.token('busy-mod', 'moderator');
    const statuses = async (token: string) => {
      const out: number[] = [];
      for (let i = 0; i < 3; i++) out.push((await call('POST', '/api/anime/generate', token, { prompt: `a heron ${i}` })).status);
      return out;
    };
    expect(await statuses(creator)).toEqual([202, 429, 429]);
    expect(await statuses(moderator)).toEqual([202, 202, 202]);
    await call('PATCH', '/api/admin/settings', admin, { limits: {} });
  });
});

describe('role mapping and tokens', () => {
  test('an admin maps a platform role, issues and revokes a token; every change is in the audit log', async () => {
    const admin = await stack.token('boss', 'admin');
    expect((await call('PUT', '/api/admin/roles', admin, { platform_role: '123456', role: 'moderator' })).status).toBe(200);
    expect((await call('GET', '/api/admin/roles', admin)).json.mappings).toContainEqual({ platform_role: '123456', role: 'moderator' });
    const issued = await call('POST', '/api/admin/tokens', admin, { user: 'newbie', role: 'creator', days: 7 });
    expect(issued.status).toBe(201);
    expect((await call('POST', '/api/admin/tokens', admin, { user: 'x', role: 'creator', days: 0 })).status).toBe(400);
    expect((await call('GET', '/api/anime/jobs', issued.json.token as string)).status).toBe(200);
    expect((await call('DELETE', `/api/admin/tokens/${issued.json.token_id as string}`, admin)).status).toBe(200);
    expect((await call('GET', '/api/anime/jobs', issued.json.token as string)).status).toBe(401);
    const actions = (await call('GET', '/api/admin/audit', admin)).json.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['role_mapping.set', 'token.issued', 'token.revoked', 'settings.changed']));
    expect(await stack.database.db.$count(auditLog)).toBeGreaterThanOrEqual(4);
  });
});

describe('failed authentication is limited per address', () => {
  test('after 20 failures the address gets 429 for a bad token, while a valid token from it still works', async () => {
    const good = await stack.token('victim');
    await stack.runtime.redis.del(`${stack.env.QUEUE_PREFIX}:authfail:127.0.0.1`);
    for (let i = 0; i < 20; i++) expect((await call('GET', '/api/anime/jobs', 'bad.token.here')).status).toBe(401);
    const blocked = await call('GET', '/api/anime/jobs', 'bad.token.here');
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('too_many_auth_failures');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('GET', '/api/anime/jobs', undefined)).status).toBe(429);
    // The counter never refuses a valid token: one noisy client cannot lock out its neighbours.
    expect((await call('GET', '/api/anime/jobs', good)).status).toBe(200);
    await stack.runtime.redis.del(`${stack.env.QUEUE_PREFIX}:authfail:127.0.0.1`);
  });
});

describe('no input crashes the API or leaks internals', () => {
  test('arbitrary JSON bodies get a 4xx with a clean error, never a 500', async () => {
    const token = await stack.token('fuzzer', 'viewer');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('prompt', 'width', 'height', 'seed', 'steps', 'count', 'type', 'project', 'negative_prompt'), fc.jsonValue())), async (body) => {
        const result = await call('POST', '/api/anime/generate', token, body);
        expect(result.status).toBeGreaterThanOrEqual(400);
        expect(result.status).toBeLessThan(500);
        expect(typeof result.json.error?.message).toBe('string');
      }),
      { numRuns: 150 },
    );
  });
});
