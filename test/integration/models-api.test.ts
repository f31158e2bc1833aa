import { afterAll, beforeAll, expect, test } from 'vitest';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';
import { api } from '../support/api.js';
import { readSse, startTestStack, streamEnd, type TestStack } from '../support/stack.js';

/**
 * Issue 12 item 4: models per request against a ComfyUI (the fake, which lists its checkpoints in
 * /object_info as the real server does). `pony` names a checkpoint the server does not have, so
 * the worker's backend check marks it unavailable and requests for it are refused.
 */
let comfy: ComfyUiHarness;
let stack: TestStack;
let creator: string;

beforeAll(async () => {
  comfy = await startComfyUiHarness();
  stack = await startTestStack({
    worker: false,
    env: {
      COMFYUI_URL: comfy.fake.url,
      COMFYUI_MODELS: 'animagine=Animagine XL 3.1:animagine-xl-3.1.safetensors,sd15=SD 1.5:v1-5-pruned-emaonly.safetensors,pony=Pony XL:pony-xl.safetensors',
    },
  });
  creator = await stack.token('aiko', 'creator');
});

afterAll(async () => {
  await stack?.close();
  await comfy?.cleanup();
});

async function jobCount(): Promise<number> {
  return (await stack.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows[0]!.n;
}

test('GET /api/models lists the offers, the default first; before any worker reported, availability is unknown', async () => {
  const listed = await api(stack, 'GET', '/api/models', creator);
  expect(listed.status).toBe(200);
  expect(listed.json.models).toEqual([
    { id: 'animagine', name: 'Animagine XL 3.1', default: true, available: null },
    { id: 'sd15', name: 'SD 1.5', default: false, available: null },
    { id: 'pony', name: 'Pony XL', default: false, available: null },
  ]);
  expect((await api(stack, 'GET', '/api/models', undefined)).status).toBe(401);
});

test('after the worker checked its backend: a missing checkpoint is unavailable and refused naming the choices; a known model is recorded, shown and searchable', async () => {
  // The worker builds its ComfyUI generator from the configuration, as in production.
  await stack.startWorker();
  const listed = await api(stack, 'GET', '/api/models', creator);
  expect(listed.json.models.map((m: { id: string; available: boolean }) => [m.id, m.available])).toEqual([
    ['animagine', true],
    ['sd15', true],
    ['pony', false],
  ]);

  const before = await jobCount();
  const unknown = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a fox', model: 'nope' });
  expect(unknown.status).toBe(400);
  expect(unknown.json.error.field).toBe('model');
  expect(unknown.json.error.message).toContain('animagine (Animagine XL 3.1), sd15 (SD 1.5)');
  const missing = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a fox', model: 'pony' });
  expect(missing.status).toBe(400);
  expect(missing.json.error.message).toMatch(/pony is not on the image server/);
  expect(missing.json.error.message).not.toContain('pony (Pony XL)');
  expect(await jobCount()).toBe(before);

  // By display name, case-insensitively.
  const created = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a fox in the snow', width: 256, height: 256, steps: 4, model: 'sd 1.5' });
  expect(created.status).toBe(202);
  const jobId = created.json.job_id as string;
  const stream = await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/events`, { headers: { authorization: `Bearer ${creator}` } });
  expect(streamEnd(await readSse(stream))).toBe('completed');

  const status = await api(stack, 'GET', `/api/anime/generation/${jobId}/status`, creator);
  expect(status.json.model).toEqual({ id: 'sd15', name: 'SD 1.5' });
  // The checkpoint went into the graph the server ran.
  const sent = comfy.fake.received.prompts.map((p) => JSON.stringify(p.body));
  expect(sent.map((graph) => graph.match(/"ckpt_name":"[^"]*"/g))).toEqual([['"ckpt_name":"v1-5-pruned-emaonly.safetensors"']]);

  const bySd15 = await api(stack, 'GET', '/api/search?model=sd15', creator);
  expect(bySd15.json.items.map((i: { job_id: string }) => i.job_id)).toEqual([jobId]);
  expect((await api(stack, 'GET', '/api/search?model=animagine', creator)).json.items).toEqual([]);
  expect((await api(stack, 'GET', '/api/search?model=Not%20An%20Id', creator)).status).toBe(400);
});

test('/readyz names a ComfyUI backend that does not answer, once its worker has reported', async () => {
  const closed = await startComfyUiHarness();
  const url = closed.fake.url;
  await closed.cleanup(); // nothing listens there any more
  const down = await startTestStack({ worker: false, env: { COMFYUI_URL: url } });
  try {
    const before = await fetch(`${down.baseUrl}/readyz`);
    expect(before.status).toBe(200);
    await down.startWorker();
    const after = await fetch(`${down.baseUrl}/readyz`);
    const body = (await after.json()) as { checks: Record<string, string>; backends: Array<{ backend: string; server?: string; state: string }> };
    expect(after.status).toBe(503);
    expect(body.checks.backend).toBe('failing');
    expect(body.backends).toHaveLength(1);
    expect(body.backends[0]!.state).toBe('down');
    expect(JSON.stringify(body.backends[0])).toContain(new URL(url).host);
  } finally {
    await down.close();
  }
});
