import { afterEach, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { FakeComfyUi } from '../fakes/comfyui/server.js';
import { api } from '../support/api.js';
import { startFarm, type Farm } from '../support/farm.js';

/** Issue 13 item 2: admins drain and resume backends, and manage the backends table, over the API. */
let farm: Farm | undefined;

afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

const ended = (jobId: string) => (e: JobEvent) => e.jobId === jobId && (e.type === 'completed' || (e.type === 'failed' && !e.willRetry));
const ranOn = (f: Farm, box: string, jobId: string) => f.boxes[box]!.received.prompts.some((p) => (p.body.extra_data as { job_id?: string } | undefined)?.job_id === jobId);

test('drain during a job: that job finishes there, no new job goes there; resume: it takes work again', async () => {
  farm = await startFarm({ a: {}, b: {} });
  for (const box of Object.values(farm.boxes)) box.holdSteps();
  await farm.stack.startWorker();
  const admin = await farm.stack.token('root', 'admin');
  const running = Promise.race(Object.entries(farm.boxes).map(([name, box]) => box.waitFor('execution-start').then(() => name)));
  const first = await farm.submit('aiko');
  const drainedBox = await running;
  const other = drainedBox === 'a' ? 'b' : 'a';

  const drained = await api(farm.stack, 'POST', `/api/admin/backends/${drainedBox}/drain`, admin);
  expect(drained.status).toBe(200);
  expect(drained.json).toMatchObject({ name: drainedBox, drained: true });
  expect(await farm.status(drainedBox, (s) => s.state === 'draining')).toMatchObject({ jobId: first });

  // The next job goes to the other box; the one after waits rather than go to the drained box.
  const onOther = farm.boxes[other]!.waitFor('execution-start');
  const second = await farm.submit('ben');
  await onOther;
  const third = await farm.submit('chika');
  farm.boxes[drainedBox]!.releaseAllSteps();
  expect(await farm.event(ended(first))).toMatchObject({ type: 'completed', backend: drainedBox });
  await farm.status(drainedBox, (s) => s.state === 'drained');
  expect(ranOn(farm, drainedBox, third)).toBe(false);

  const resumed = await api(farm.stack, 'POST', `/api/admin/backends/${drainedBox}/resume`, admin);
  expect(resumed.json).toMatchObject({ name: drainedBox, drained: false });
  expect(await farm.event(ended(third))).toMatchObject({ type: 'completed', backend: drainedBox });
  farm.boxes[other]!.releaseAllSteps();
  expect(await farm.event(ended(second))).toMatchObject({ type: 'completed', backend: other });

  const audit = await farm.stack.database.pool.query<{ action: string; target: string }>("SELECT action, target FROM audit_log WHERE action LIKE 'backend.%' ORDER BY id");
  expect(audit.rows).toEqual([
    { action: 'backend.drained', target: drainedBox },
    { action: 'backend.resumed', target: drainedBox },
  ]);
});

test('the backends API: admins list (host:port, never credentials), add, remove; members are refused; bad input changes nothing', async () => {
  farm = await startFarm({ gpu: {} });
  const { port } = new URL(farm.boxes.gpu!.url);
  const admin = await farm.stack.token('root', 'admin');
  const member = await farm.stack.token('aiko', 'creator');
  const moderator = await farm.stack.token('mod', 'moderator');

  for (const token of [member, moderator]) {
    expect((await api(farm.stack, 'GET', '/api/admin/backends', token)).status).toBe(403);
    expect((await api(farm.stack, 'POST', '/api/admin/backends', token, { name: 'x', url: 'http://10.0.0.1:8188' })).status).toBe(403);
    expect((await api(farm.stack, 'POST', '/api/admin/backends/gpu/drain', token)).status).toBe(403);
  }
  expect((await api(farm.stack, 'GET', '/api/admin/backends', undefined)).status).toBe(401);

  const added = await api(farm.stack, 'POST', '/api/admin/backends', admin, { name: 'spare', url: 'http://farmer:s3cret-pass@10.0.0.9:8188/' });
  expect(added.status).toBe(201);
  expect(added.json).toEqual({ name: 'spare', server: '10.0.0.9:8188', source: 'table', drained: false, state: null, job_id: null });
  expect((await api(farm.stack, 'POST', '/api/admin/backends', admin, { name: 'spare', url: 'http://10.0.0.8:8188' })).status).toBe(409);
  expect((await api(farm.stack, 'POST', '/api/admin/backends', admin, { name: 'Bad Name', url: 'http://10.0.0.8:8188' })).json.error).toMatchObject({ field: 'name' });
  expect((await api(farm.stack, 'POST', '/api/admin/backends', admin, { name: 'ftp', url: 'ftp://10.0.0.8' })).json.error).toMatchObject({ field: 'url' });

  const listed = await fetch(`${farm.stack.baseUrl}/api/admin/backends`, { headers: { authorization: `Bearer ${admin}` } });
  const text = await listed.text();
  expect(text).not.toContain('s3cret');
  expect(text).not.toContain('farmer');
  expect((JSON.parse(text) as { backends: unknown[] }).backends).toEqual([
    { name: 'gpu', server: `127.0.0.1:${port}`, source: 'env', drained: false, state: null, job_id: null },
    { name: 'spare', server: '10.0.0.9:8188', source: 'table', drained: false, state: null, job_id: null },
  ]);

  expect((await api(farm.stack, 'DELETE', '/api/admin/backends/gpu', admin)).status).toBe(409);
  expect((await api(farm.stack, 'DELETE', '/api/admin/backends/nope', admin)).status).toBe(404);
  expect((await api(farm.stack, 'POST', '/api/admin/backends/nope/drain', admin)).status).toBe(404);
  expect((await api(farm.stack, 'DELETE', '/api/admin/backends/spare', admin)).json).toEqual({ name: 'spare', removed: true });
  const audit = await farm.stack.database.pool.query<{ action: string; target: string; details: unknown }>("SELECT action, target, details FROM audit_log WHERE action LIKE 'backend.%' ORDER BY id");
  expect(audit.rows).toEqual([
    { action: 'backend.added', target: 'spare', details: { server: '10.0.0.9:8188' } },
    { action: 'backend.removed', target: 'spare', details: {} },
  ]);
});

test('a server an admin adds through the API is served without a restart, and takes work', async () => {
  farm = await startFarm({ a: {} });
  farm.boxes.a!.holdSteps();
  await farm.stack.startWorker();
  const admin = await farm.stack.token('root', 'admin');
  const spare = await FakeComfyUi.start({ stepDelayMs: 5 });
  try {
    expect((await api(farm.stack, 'POST', '/api/admin/backends', admin, { name: 'spare', url: spare.url })).status).toBe(201);
    await farm.status('spare', (s) => s.state === 'idle');
    const onA = farm.boxes.a!.waitFor('execution-start');
    const first = await farm.submit('aiko');
    await onA;
    const second = await farm.submit('ben');
    expect(await farm.event(ended(second))).toMatchObject({ type: 'completed', backend: 'spare' });
    farm.boxes.a!.releaseAllSteps();
    expect(await farm.event(ended(first))).toMatchObject({ type: 'completed', backend: 'a' });
    const listed = await api(farm.stack, 'GET', '/api/admin/backends', admin);
    expect(listed.json.backends.map((b: { name: string; state: string }) => [b.name, b.state])).toEqual([
      ['a', 'idle'],
      ['spare', 'idle'],
    ]);
  } finally {
    await farm.close();
    farm = undefined;
    await spare.close();
  }
});

test('a server an admin removes finishes its running job, takes no new one and is let go without a restart; added again, it serves again', async () => {
  farm = await startFarm({ a: {} });
  const spare = await FakeComfyUi.start({ stepDelayMs: 5 });
  try {
    farm.boxes.a!.holdSteps();
    spare.holdSteps();
    await farm.stack.startWorker();
    const admin = await farm.stack.token('root', 'admin');
    expect((await api(farm.stack, 'POST', '/api/admin/backends', admin, { name: 'spare', url: spare.url })).status).toBe(201);
    await farm.status('spare', (s) => s.state === 'idle');
    // One job on each box.
    const bothRunning = Promise.all([farm.boxes.a!.waitFor('execution-start'), spare.waitFor('execution-start')]);
    const first = [await farm.submit('aiko'), await farm.submit('ben')];
    await bothRunning;
    const onSpare = first.find((id) => spare.received.prompts.some((p) => (p.body.extra_data as { job_id?: string }).job_id === id))!;
    const onA = first.find((id) => id !== onSpare)!;

    expect((await api(farm.stack, 'DELETE', '/api/admin/backends/spare', admin)).json).toEqual({ name: 'spare', removed: true });
    // The worker notices: it takes no more work there, and the running job is left to finish.
    expect(await farm.status('spare', (s) => s.state === 'draining')).toMatchObject({ jobId: onSpare });
    const third = await farm.submit('chika');
    spare.releaseAllSteps();
    expect(await farm.event(ended(onSpare))).toMatchObject({ type: 'completed', backend: 'spare' });
    // Let go: its status leaves the farm's view (polled like farm.status, where the dashboard reads it).
    while ((await farm.states.all()).some((s) => s.name === 'spare')) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spare.received.prompts).toHaveLength(1);
    farm.boxes.a!.releaseAllSteps();
    expect(await farm.event(ended(onA))).toMatchObject({ type: 'completed', backend: 'a' });
    expect(await farm.event(ended(third))).toMatchObject({ type: 'completed', backend: 'a' });
    expect(spare.received.prompts).toHaveLength(1);

    // The same name added again is a new backend of the farm, served and given work.
    expect((await api(farm.stack, 'POST', '/api/admin/backends', admin, { name: 'spare', url: spare.url })).status).toBe(201);
    await farm.status('spare', (s) => s.state === 'idle');
    farm.boxes.a!.holdSteps();
    spare.holdSteps();
    const bothAgain = Promise.all([farm.boxes.a!.waitFor('execution-start'), spare.waitFor('execution-start')]);
    const last = [await farm.submit('aiko'), await farm.submit('ben')];
    await bothAgain;
    farm.boxes.a!.releaseAllSteps();
    spare.releaseAllSteps();
    const lastEnds = await Promise.all(last.map((id) => farm!.event(ended(id))));
    expect(new Set(lastEnds.map((e) => (e as { backend?: string }).backend))).toEqual(new Set(['a', 'spare']));
  } finally {
    await farm.close();
    farm = undefined;
    await spare.close();
  }
});
