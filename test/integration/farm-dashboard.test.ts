import { afterEach, expect, test } from 'vitest';
import { BACKEND_ACTIVITIES, type BackendStatus } from '../../src/core/farm-state.js';
import { FarmDashboard, HOUR_MS } from '../../src/core/farm/farm-dashboard.js';
import { PostgresFarmRecords } from '../../src/db/farm-records.js';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

const MIN = 60_000;

async function newStack(): Promise<TestStack> {
  stack = await startTestStack({ env: { RATE_LIMIT_BURST: '100', MAX_PENDING_PER_USER: '100' } });
  return stack;
}

async function generate(token: string): Promise<string> {
  const { status, json } = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a fox in the snow', width: 64, height: 64, steps: 1 });
  expect(status).toBe(202);
  return json.job_id as string;
}

/** Puts a job where the test wants it: status and its three times (ms since 1970; null leaves none). */
async function setJob(jobId: string, status: string, createdAt: number, startedAt: number | null, finishedAt: number | null): Promise<void> {
  const at = (ms: number | null) => (ms === null ? null : new Date(ms));
  await stack.database.pool.query('UPDATE jobs SET status = $2, created_at = $3, started_at = $4, finished_at = $5 WHERE id = $1', [jobId, status, at(createdAt), at(startedAt), at(finishedAt)]);
}

/** An attempt as the worker leaves it: GPU from gpuStartedAt for gpuMs, ended at endedAt (null: still running). */
async function attempt(jobId: string, backend: string, gpuStartedAt: number, gpuMs: number, endedAt: number | null): Promise<void> {
  await stack.database.pool.query(
    `INSERT INTO job_attempts (id, job_id, attempt, backend, user_id, project_id, space_id, started_at, gpu_started_at, ended_at, gpu_ms, outcome)
     SELECT gen_random_uuid(), j.id, 1, $2, j.user_id, j.project_id, j.space_id, $3, $3, $4, $5, CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE 'completed' END
     FROM jobs j WHERE j.id = $1`,
    [jobId, backend, new Date(gpuStartedAt), endedAt === null ? null : new Date(endedAt), endedAt === null ? 0 : gpuMs],
  );
}

function live(name: string, patch: Partial<BackendStatus> = {}): BackendStatus {
  const now = Date.now();
  return { name, kind: 'comfyui', state: 'idle', since: now - 5 * MIN, worker: 'host:1:w', server: `${name}.lan:8188`, templates: ['txt2img'], models: ['anime'], updatedAt: now, freshUntil: now + 10 * MIN, ...patch };
}

test('the view on seeded records at known times: queue, busy share per backend, filled buckets, top users of this space only', async () => {
  await newStack();
  const [cara, bo, zed] = await Promise.all([stack.token('cara'), stack.token('bo'), stack.token('zed', 'creator', 'other')]);
  const jobs = await Promise.all([cara, cara, cara, cara, bo, bo, bo, zed, cara].map((t) => generate(t)));
  const NOW = Date.UTC(2026, 10, 2, 12, 0, 30);
  const [waiting1, waiting2, done1, failed1, running, cancelled, doneEarly, zedJob, doneYesterday] = jobs as [string, string, string, string, string, string, string, string, string];
  // Two wait (the oldest since 5 minutes), one runs, the rest ended at known times.
  await setJob(waiting1, 'queued', NOW - 5 * MIN, null, null);
  await setJob(waiting2, 'queued', NOW - 2 * MIN, null, null);
  await setJob(running, 'running', NOW - 20 * MIN, NOW - 15 * MIN, null);
  await setJob(done1, 'completed', Date.UTC(2026, 10, 2, 11, 58, 0), Date.UTC(2026, 10, 2, 11, 58, 20), Date.UTC(2026, 10, 2, 11, 59, 10)); // waited 20 s
  await setJob(failed1, 'failed', Date.UTC(2026, 10, 2, 11, 58, 30), Date.UTC(2026, 10, 2, 11, 59, 10), Date.UTC(2026, 10, 2, 11, 59, 50)); // waited 40 s
  await setJob(cancelled, 'cancelled', NOW - 10 * MIN, null, NOW - 9 * MIN);
  await setJob(doneEarly, 'completed', Date.UTC(2026, 10, 2, 10, 59, 0), Date.UTC(2026, 10, 2, 11, 0, 0), Date.UTC(2026, 10, 2, 11, 0, 30)); // before the hour's first minute
  await setJob(zedJob, 'completed', NOW - 40 * MIN, NOW - 40 * MIN, NOW - 30 * MIN);
  await setJob(doneYesterday, 'completed', NOW - 25 * HOUR_MS, NOW - 25 * HOUR_MS, NOW - 25 * HOUR_MS); // outside the day

  // The quality check re-rendered done1 (its second render passed) and zed's (posted with a note); the failed job's flag is not counted.
  await stack.database.pool.query("UPDATE jobs SET quality_retried = true WHERE id = ANY($1)", [[done1, zedJob, failed1]]);
  await stack.database.pool.query("UPDATE jobs SET quality_problems = '{blank}' WHERE id = ANY($1)", [[zedJob, failed1]]);

  await attempt(done1, 'gpu-a', NOW - 30 * MIN, 6 * MIN, NOW - 23 * MIN); // 6 min inside the hour
  await attempt(failed1, 'gpu-a', NOW - 70 * MIN, 20 * MIN, NOW - 49 * MIN); // 10 of its 20 min inside
  await attempt(running, 'gpu-b', NOW - 15 * MIN, 0, null); // still running: 15 min so far
  await attempt(doneEarly, 'old-box', NOW - 45 * MIN, 3 * MIN, NOW - 41 * MIN); // no worker reports it now
  await attempt(doneYesterday, 'gpu-a', NOW - 26 * HOUR_MS, 30 * MIN, NOW - 25 * HOUR_MS); // outside both windows
  await attempt(doneEarly, 'gpu-b', NOW - 50 * MIN, 5 * MIN, NOW - 44 * MIN); // bo: 5 min
  await attempt(zedJob, 'gpu-b', NOW - 40 * MIN, 9 * MIN, NOW - 30 * MIN); // another space

  await stack.runtime.backendStates.put(live('gpu-a'));
  await stack.runtime.backendStates.put(live('gpu-b', { state: 'busy', jobId: running }));
  const farm = new FarmDashboard(new PostgresFarmRecords(stack.database.db), stack.runtime.backendStates, () => NOW);
  const viewer = await stack.runtime.service.identify({ platform: 'web', spaceExternalId: 'web', userExternalId: 'mod', platformRoles: [], isPlatformAdmin: false, grantedRole: 'moderator' });
  const result = await farm.view(viewer);
  if (!result.ok) throw new Error(result.code);
  const view = result.value;

  expect(view.queue).toEqual({ queued: 2, running: 1, oldestWaitMs: 5 * MIN });
  expect(view.backends.map((b) => [b.name, b.state, b.jobId, b.gpuMsHour, b.busyShareHour])).toEqual([
    ['gpu-a', 'idle', undefined, 16 * MIN, 0.2667],
    ['gpu-b', 'busy', running, 29 * MIN, 0.4833], // running 15 + bo's 5 + zed's 9: the farm serves every space
    ['old-box', 'gone', undefined, 3 * MIN, 0.05],
  ]);
  expect(view.backends[1]).toMatchObject({ kind: 'comfyui', server: 'gpu-b.lan:8188' });

  // Per minute: 60 buckets from 11:01 to the current 12:00; only 11:59 holds work.
  expect(view.hour.bucketMs).toBe(MIN);
  expect(view.hour.buckets).toHaveLength(60);
  expect(view.hour.buckets[0]!.start).toBe(Date.UTC(2026, 10, 2, 11, 1));
  expect(view.hour.buckets[59]!.start).toBe(Date.UTC(2026, 10, 2, 12, 0));
  // Throughput counts the whole farm too: zed's job (another space) at 11:30:30.
  expect(view.hour.buckets.filter((b) => b.finished > 0)).toEqual([
    { start: Date.UTC(2026, 10, 2, 11, 30), finished: 1, failed: 0, waitAvgMs: 0, waitMaxMs: 0, qualityRetried: 1, qualityFailed: 1 },
    { start: Date.UTC(2026, 10, 2, 11, 59), finished: 2, failed: 1, waitAvgMs: 30_000, waitMaxMs: 40_000, qualityRetried: 1, qualityFailed: 0 },
  ]);
  // Per hour: 24 buckets ending with 12:00; 11:00 holds the 11:00:30 and 11:59 jobs and zed's.
  expect(view.day.buckets).toHaveLength(24);
  expect(view.day.buckets[23]!.start).toBe(Date.UTC(2026, 10, 2, 12));
  expect(view.day.buckets.filter((b) => b.finished > 0).map((b) => [new Date(b.start).toISOString(), b.finished, b.failed, b.qualityRetried, b.qualityFailed])).toEqual([['2026-11-02T11:00:00.000Z', 4, 1, 2, 1]]);

  // This space only, closed attempts of the last day: cara 6 + 20 min, bo 3 + 5 min (the running attempt counts once it ends); zed is in another space.
  expect(view.topUsers).toEqual([
    { user: 'cara', gpuMs: 26 * MIN, attempts: 2 },
    { user: 'bo', gpuMs: 8 * MIN, attempts: 2 },
  ]);
});

test('GET /api/admin/farm: members are refused 403, moderators and admins get the view, nothing changes', async () => {
  await newStack();
  const [viewer, creator, moderator, admin] = await Promise.all([stack.token('vic', 'viewer'), stack.token('cara'), stack.token('mod', 'moderator'), stack.token('ada', 'admin')]);
  const job = await generate(creator);
  const now = Date.now();
  await stack.runtime.backendStates.put(live('gpu-a', { state: 'busy', jobId: job }));
  await stack.runtime.backendStates.put(live('gpu-b', { state: 'down' }));
  await attempt(job, 'gpu-a', now - 10 * MIN, 6 * MIN, now - 4 * MIN);

  for (const token of [viewer, creator]) {
    const refused = await api(stack, 'GET', '/api/admin/farm', token);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'forbidden', message: 'the farm dashboard is for moderators and admins' });
  }
  expect((await api(stack, 'GET', '/api/admin/farm', undefined)).status).toBe(401);

  for (const token of [moderator, admin]) {
    const { status, json, headers } = await api(stack, 'GET', '/api/admin/farm', token);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(json).sort()).toEqual(['at', 'backends', 'quality', 'queue', 'throughput', 'top_users', 'top_users_since']);
    expect(json.queue.queued).toBe(1);
    expect(json.queue.running).toBe(0);
    expect(json.queue.oldest_wait_seconds).toBeGreaterThanOrEqual(0);
    expect(json.backends).toEqual([
      { name: 'gpu-a', kind: 'comfyui', state: 'busy', job_id: job, since: expect.any(String), server: 'gpu-a.lan:8188', gpu_seconds_hour: 360, busy_share_hour: 0.1 },
      { name: 'gpu-b', kind: 'comfyui', state: 'down', job_id: null, since: expect.any(String), server: 'gpu-b.lan:8188', gpu_seconds_hour: 0, busy_share_hour: 0 },
    ]);
    expect(json.throughput.hour.bucket_seconds).toBe(60);
    expect(json.throughput.hour.buckets).toHaveLength(60);
    expect(json.throughput.day.bucket_seconds).toBe(3600);
    expect(json.throughput.day.buckets[0]).toEqual({ at: expect.any(String), finished: 0, failed: 0, wait_avg_seconds: null, wait_max_seconds: null, quality_rerendered: 0, quality_failed: 0 });
    expect(json.quality).toEqual({ hour: { rerendered: 0, failed: 0 }, day: { rerendered: 0, failed: 0 } });
    expect(json.top_users).toEqual([{ user: 'cara', gpu_seconds: 360, attempts: 1 }]);
  }
  const [row] = (await stack.database.pool.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [job])).rows;
  expect(row?.status).toBe('queued');
});

test('GET /metrics: per backend state and busy gauges from the live states, attempts and GPU seconds counters from the records', async () => {
  await newStack();
  const [creator, admin] = await Promise.all([stack.token('cara'), stack.token('ada', 'admin')]);
  const [one, two] = [await generate(creator), await generate(creator)];
  const now = Date.now();
  await stack.runtime.backendStates.put(live('gpu-a', { state: 'busy', jobId: two }));
  await stack.runtime.backendStates.put(live('gpu-b', { state: 'down' }));
  await attempt(one, 'gpu-a', now - 10 * MIN, 90_000, now - 8 * MIN);
  await attempt(two, 'gpu-a', now - 7 * MIN, 1_500, now - 6 * MIN);
  await attempt(two, 'gpu-b', now - 5 * MIN, 0, null); // running: not counted until it ends

  const response = await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${admin}` } });
  expect(response.status).toBe(200);
  const lines = (await response.text()).split('\n').filter((l) => l.startsWith('anime_backend_'));
  expect(lines).toEqual(expect.arrayContaining([
    'anime_backend_state{backend="gpu-a",state="busy"} 1',
    'anime_backend_state{backend="gpu-a",state="idle"} 0',
    'anime_backend_state{backend="gpu-b",state="down"} 1',
    'anime_backend_state{backend="gpu-b",state="busy"} 0',
    'anime_backend_busy{backend="gpu-a"} 1',
    'anime_backend_busy{backend="gpu-b"} 0',
    'anime_backend_attempts_total{backend="gpu-a",outcome="completed"} 2',
    'anime_backend_gpu_seconds_total{backend="gpu-a"} 91.5',
  ]));
  expect(lines.filter((l) => l.includes('backend="gpu-b"') && l.startsWith('anime_backend_attempts_total'))).toEqual([]);
  expect(lines.filter((l) => l.startsWith('anime_backend_state{backend="gpu-a"'))).toHaveLength(BACKEND_ACTIVITIES.length);
});
