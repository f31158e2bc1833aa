import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let aiko: string;
let ben: string;
let boss: string;
let aikoJob: string;
let benInkJob: string;

beforeAll(async () => {
  stack = await startTestStack({ env: { RATE_LIMIT_BURST: '100', MAX_PENDING_PER_USER: '100' } });
  [aiko, ben, boss] = await Promise.all([stack.token('aiko'), stack.token('ben'), stack.token('boss', 'admin')]);
  expect((await api(stack, 'POST', '/api/projects', boss, { name: 'Ink' })).status).toBe(201);
  aikoJob = await generate(aiko);
  benInkJob = await generate(ben, 'ink');
});
afterAll(async () => {
  await stack.close();
});

async function generate(token: string, project?: string): Promise<string> {
  const { status, json } = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a fox in the snow', width: 64, height: 64, steps: 1, ...(project ? { project } : {}) });
  expect(status).toBe(202);
  return json.job_id as string;
}

/** A closed attempt (or an open one, endedAt null) of a job, as the worker would have left it. */
async function attempt(jobId: string, endedAt: Date | null, gpuMs: number, backend = 'builtin'): Promise<void> {
  await stack.database.pool.query(
    `INSERT INTO job_attempts (id, job_id, attempt, backend, user_id, project_id, space_id, started_at, ended_at, gpu_ms, outcome)
     SELECT gen_random_uuid(), j.id, 1, $2, j.user_id, j.project_id, j.space_id, coalesce($3, now()) - interval '1 minute', $3, $4,
       CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE 'completed' END
     FROM jobs j WHERE j.id = $1`,
    [jobId, backend, endedAt, gpuMs],
  );
}

describe('sums per UTC day', () => {
  beforeAll(async () => {
    // Half a second before midnight counts for the 1st, midnight itself for the 2nd.
    await attempt(aikoJob, new Date('2026-11-01T23:59:59.500Z'), 30_000);
    await attempt(aikoJob, new Date('2026-11-02T00:00:00.000Z'), 45_000, 'comfyui');
    await attempt(aikoJob, new Date('2026-11-02T10:00:00.000Z'), 15_000);
    await attempt(aikoJob, null, 99_000); // still running: not counted
    await attempt(benInkJob, new Date('2026-11-02T12:00:00.000Z'), 5_000);
  });

  test("your own usage: every day of the range, zeros included, split by backend", async () => {
    const { status, json } = await api(stack, 'GET', '/api/usage?from=2026-10-31&to=2026-11-02', aiko);
    expect(status).toBe(200);
    expect(json.scope).toEqual({ kind: 'user', self: true });
    expect(json.day_boundary).toBe('UTC');
    expect(json.days).toEqual([
      { day: '2026-10-31', gpu_seconds: 0, attempts: 0, backends: {} },
      { day: '2026-11-01', gpu_seconds: 30, attempts: 1, backends: { builtin: 30 } },
      { day: '2026-11-02', gpu_seconds: 60, attempts: 2, backends: { builtin: 15, comfyui: 45 } },
    ]);
    expect(json.total_gpu_seconds).toBe(90);
    // No quota set: today's status says so.
    expect(json.quota).toMatchObject({ limit_seconds: null, left_seconds: null });
  });

  test('admins read a member, a project and the whole space', async () => {
    const range = 'from=2026-11-02&to=2026-11-02';
    const member = await api(stack, 'GET', `/api/usage?user=ben&${range}`, boss);
    expect(member.status).toBe(200);
    expect(member.json.scope).toEqual({ kind: 'user', user: 'ben', self: false });
    expect(member.json.days[0]).toMatchObject({ gpu_seconds: 5, attempts: 1 });
    expect(member.json.quota).toBeUndefined();
    const project = await api(stack, 'GET', `/api/usage?project=ink&${range}`, boss);
    expect(project.json).toMatchObject({ scope: { kind: 'project', project: 'ink' }, total_gpu_seconds: 5 });
    const general = await api(stack, 'GET', `/api/usage?project=general&${range}`, boss);
    expect(general.json.total_gpu_seconds).toBe(60);
    const space = await api(stack, 'GET', `/api/usage?space=true&${range}`, boss);
    expect(space.json).toMatchObject({ scope: { kind: 'space' }, total_gpu_seconds: 65 });
  });

  test("a non-admin cannot read another member's, a project's or the space's usage (403), but may name themselves", async () => {
    for (const query of ['user=aiko', 'user=nobody', 'project=ink', 'space=true']) {
      const { status, json } = await api(stack, 'GET', `/api/usage?${query}`, ben);
      expect({ query, status, code: json.error?.code }).toEqual({ query, status: 403, code: 'forbidden' });
    }
    const self = await api(stack, 'GET', '/api/usage?user=ben&from=2026-11-02&to=2026-11-02', ben);
    expect(self.status).toBe(200);
    expect(self.json.scope).toEqual({ kind: 'user', user: 'ben', self: true });
    expect(self.json.total_gpu_seconds).toBe(5);
  });

  test('bad input is refused with the field named', async () => {
    const cases: Array<[string, string, string]> = [
      ['from=2026-02-30', 'from', 'YYYY-MM-DD'],
      ['to=yesterday', 'to', 'YYYY-MM-DD'],
      ['from=2026-11-03&to=2026-11-01', 'from', 'on or before'],
      ['from=2026-01-01&to=2026-12-01', 'from', 'at most 92 days'],
      ['user=aiko&project=ink', 'scope', 'one of'],
      ['space=yes', 'space', 'space must be true'],
      ['days=7', 'query', 'unknown parameter'],
      ['from=2026-11-01&from=2026-11-02', 'from', 'once'],
    ];
    for (const [query, field, words] of cases) {
      const { status, json } = await api(stack, 'GET', `/api/usage?${query}`, boss);
      expect({ query, status, field: json.error?.field }).toEqual({ query, status: 400, field });
      expect(json.error.message).toContain(words);
    }
    expect((await api(stack, 'GET', '/api/usage?user=nobody', boss)).status).toBe(404);
    expect((await api(stack, 'GET', '/api/usage', undefined)).status).toBe(401);
  });
});

describe('GPU quota', () => {
  test('a job over the quota is refused before it is queued, saying what is left and when it resets; per-role values apply', async () => {
    const cathy = await stack.token('cathy');
    const job = await generate(cathy);
    await attempt(job, new Date(), 61_000);
    const set = await api(stack, 'PATCH', '/api/admin/settings', boss, { limits: { gpuMinutesPerDay: 1, overrides: { moderator: { gpuMinutesPerDay: null } } } });
    expect(set.status).toBe(200);
    const before = await stack.database.pool.query('SELECT count(*)::int AS n FROM jobs');

    const refused = await api(stack, 'POST', '/api/anime/generate', cathy, { prompt: 'one more fox', width: 64, height: 64, steps: 1 });
    expect(refused.status).toBe(429);
    const midnight = new Date(Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000);
    expect(refused.json.error).toMatchObject({
      code: 'gpu_quota_exceeded',
      reason: 'gpu_quota',
      details: { usedSeconds: 61, limitSeconds: 60, resetsAt: midnight.toISOString() },
    });
    expect(refused.json.error.message).toBe(`today's GPU time is used up (1 min of 1 min, nothing left); it resets at 00:00 UTC (${midnight.toISOString()})`);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing was recorded or queued.
    expect((await stack.database.pool.query('SELECT count(*)::int AS n FROM jobs')).rows[0].n).toBe(before.rows[0].n);
    const audit = await stack.database.pool.query("SELECT details FROM audit_log WHERE action = 'generate.refused' AND target = 'gpu_quota'");
    expect(audit.rows).toHaveLength(1);

    // Her own report says the same.
    const usage = await api(stack, 'GET', '/api/usage', cathy);
    expect(usage.json.quota).toEqual({ used_seconds: 61, limit_seconds: 60, left_seconds: 0, resets_at: midnight.toISOString() });

    // Under the quota: admitted. A role whose override lifts the quota: admitted although over it.
    const dan = await stack.token('dan');
    expect((await api(stack, 'POST', '/api/anime/generate', dan, { prompt: 'a fox', width: 64, height: 64, steps: 1 })).status).toBe(202);
    const mod = await stack.token('mod', 'moderator');
    await attempt(await generate(mod), new Date(), 120_000);
    expect((await api(stack, 'POST', '/api/anime/generate', mod, { prompt: 'a fox', width: 64, height: 64, steps: 1 })).status).toBe(202);
    expect((await api(stack, 'GET', '/api/usage', mod)).json.quota).toMatchObject({ limit_seconds: null });
  });

  test('quota settings are validated', async () => {
    for (const bad of [0, 1.5, 100_000, 'ten']) {
      const { status } = await api(stack, 'PATCH', '/api/admin/settings', boss, { limits: { gpuMinutesPerDay: bad } });
      expect({ bad, status }).toEqual({ bad, status: 400 });
    }
  });
});
