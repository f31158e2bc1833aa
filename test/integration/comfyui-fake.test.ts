import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { WORKFLOWS_DIR } from '../fakes/comfyui/harness.js';
import { FakeComfyUi } from '../fakes/comfyui/server.js';

/**
 * The fake must be as strict as the real server (protocols.md section A), or it hides client bugs.
 * These tests speak raw HTTP/WS to it.
 */
type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

async function template(): Promise<Graph> {
  const graph = JSON.parse(await readFile(join(WORKFLOWS_DIR, 'txt2img.json'), 'utf8')) as Graph;
  graph['5']!.inputs = { width: 64, height: 64, batch_size: 1 };
  graph['3']!.inputs.steps = 3;
  return graph;
}

describe('fake ComfyUI server', () => {
  let fake: FakeComfyUi;
  beforeEach(async () => {
    fake = await FakeComfyUi.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }
  const get = async (path: string) => fetch(`${fake.url}${path}`);

  /** A raw client socket that records every text message. */
  async function socket(clientId: string): Promise<{ ws: WebSocket; messages: Array<{ type: string; data: Record<string, unknown> }> }> {
    const ws = new WebSocket(`${fake.url.replace('http', 'ws')}/ws?clientId=${clientId}`);
    const messages: Array<{ type: string; data: Record<string, unknown> }> = [];
    const first = new Promise<void>((resolve) => {
      ws.on('message', (data, isBinary) => {
        if (!isBinary) messages.push(JSON.parse(String(data)) as (typeof messages)[number]);
        resolve();
      });
    });
    await first;
    return { ws, messages };
  }

  test('accepts a valid prompt on /prompt and /api/prompt and routes messages only to its client', async () => {
    const mine = await socket('mine');
    const other = await socket('other');
    expect(mine.messages[0]).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'mine' } });
    const promptId = '0b9f6c1e-2a8e-4f5e-9d8a-3c2b1a0f9e8d';
    const finished = fake.waitFor('finished');
    const answer = await post('/api/prompt', { prompt: await template(), client_id: 'mine', prompt_id: promptId });
    expect(answer).toEqual({ status: 200, body: { prompt_id: promptId, number: 0, node_errors: {} } });
    await finished;
    const done = new Promise<void>((resolve) => mine.ws.on('message', (d) => String(d).includes('"node":null') && resolve()));
    if (!mine.messages.some((m) => m.type === 'executing' && m.data.node === null)) await done;
    const types = mine.messages.map((m) => m.type);
    expect(types.filter((t) => t !== 'status' && t !== 'progress_state')).toEqual([
      'execution_start',
      'execution_cached',
      ...['4', '5', '6', '7'].map(() => 'executing'),
      'executing',
      'progress',
      'progress',
      'progress',
      'executing',
      'executing',
      'executed',
      'execution_success',
      'executing',
    ]);
    expect(mine.messages.find((m) => m.type === 'progress')!.data).toEqual({ value: 1, max: 3, prompt_id: promptId, node: '3' });
    expect(new Set(other.messages.map((m) => m.type))).toEqual(new Set(['status']));
    mine.ws.close();
    other.ws.close();
  });

  test('without client_id, execution messages are not sent at all but progress is broadcast', async () => {
    const watcher = await socket('watcher');
    const finished = fake.waitFor('finished');
    await post('/prompt', { prompt: await template() });
    await finished;
    const types = new Set(watcher.messages.map((m) => m.type));
    expect(types.has('progress')).toBe(true);
    for (const hidden of ['execution_start', 'execution_cached', 'executing', 'executed', 'execution_success']) expect(types.has(hidden)).toBe(false);
    watcher.ws.close();
  });

  test('history stays {} until the prompt finished; queue shows running and pending tuples', async () => {
    fake.holdSteps();
    const first = (await post('/prompt', { prompt: await template(), client_id: 'a' })).body as { prompt_id: string };
    const second = (await post('/prompt', { prompt: await template(), client_id: 'b' })).body as { prompt_id: string };
    expect(await (await get(`/history/${first.prompt_id}`)).json()).toEqual({});
    const queue = (await (await get('/api/queue')).json()) as { queue_running: unknown[][]; queue_pending: unknown[][] };
    expect(queue.queue_running.map((item) => item[1])).toEqual([first.prompt_id]);
    expect(queue.queue_pending.map((item) => item[1])).toEqual([second.prompt_id]);
    expect(queue.queue_running[0]).toHaveLength(5);
    expect((await post('/queue', { delete: [second.prompt_id] })).status).toBe(200);
    expect(fake.pending).toEqual([]);
    const finished = fake.waitFor('finished');
    fake.releaseAllSteps();
    await finished;
    const history = (await (await get(`/history/${first.prompt_id}`)).json()) as Record<string, { status: { status_str: string; completed: boolean }; outputs: Record<string, unknown> }>;
    expect(history[first.prompt_id]!.status).toMatchObject({ status_str: 'success', completed: true });
    expect(history[first.prompt_id]!.outputs['9']).toEqual({ images: [{ filename: 'anime-production_00001_.png', subfolder: '', type: 'output' }] });
  });

  test('frames come in the order the real server recorded (transcripts/success.json)', async () => {
    const client = await socket('order');
    const ended = new Promise<void>((resolve) => client.ws.on('message', (d) => String(d).includes('"node":null') && resolve()));
    expect((await post('/prompt', { prompt: await template(), client_id: 'order' })).status).toBe(200);
    await ended;
    const frames = client.messages;
    const types = frames.map((m) => m.type);
    expect(types.slice(0, 4)).toEqual(['status', 'status', 'status', 'execution_start']);
    expect(frames.slice(1, 3).map((m) => m.data.status)).toEqual([{ exec_info: { queue_remaining: 1 } }, { exec_info: { queue_remaining: 1 } }]);
    expect(types.slice(-3)).toEqual(['execution_success', 'status', 'executing']);
    expect(frames.at(-2)!.data.status).toEqual({ exec_info: { queue_remaining: 0 } });
    // Each node starts with a progress_state naming it running, just before its executing.
    for (const [i, frame] of frames.entries()) {
      if (frame.type !== 'executing' || frame.data.node === null) continue;
      const before = frames[i - 1]!;
      expect(before.type).toBe('progress_state');
      expect((before.data.nodes as Record<string, { state: string }>)[frame.data.node as string]!.state).toBe('running');
    }
    client.ws.close();
  });

  test('like 0.3.64, a known prompt_id is accepted again and runs again, overwriting its history entry', async () => {
    const prompt = await template();
    const id = '1b9f6c1e-2a8e-4f5e-9d8a-3c2b1a0f9e8d';
    for (const run of [1, 2]) {
      const finished = fake.waitFor('finished');
      expect(await post('/prompt', { prompt, prompt_id: id })).toMatchObject({ status: 200, body: { prompt_id: id, node_errors: {} } });
      await finished;
      const outputs = fake.history.get(id)!.outputs as Record<string, { images: Array<{ filename: string }> }>;
      expect(outputs['9']!.images[0]!.filename).toBe(`anime-production_0000${run}_.png`);
    }
    expect(fake.history.size).toBe(1);
    expect((await post('/prompt', { prompt, prompt_id: 'ABC' })).status).toBe(200);
  });

  test('rejects unknown classes, missing outputs and out-of-range values like ComfyUI (and bad or known ids on builds after 0.3.75)', async () => {
    const prompt = await template();
    const strict = await FakeComfyUi.start({ duplicateIds: 'reject' });
    const strictPost = async (body: unknown) => {
      const response = await fetch(`${strict.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    expect(await strictPost({ prompt, prompt_id: 'ABC' })).toMatchObject({ status: 400, body: { error: { type: 'invalid_prompt_id' }, node_errors: {} } });
    expect((await strictPost({ prompt, prompt_id: '0B9F6C1E-2A8E-4F5E-9D8A-3C2B1A0F9E8D' })).status).toBe(400);
    const id = '1b9f6c1e-2a8e-4f5e-9d8a-3c2b1a0f9e8d';
    expect((await strictPost({ prompt, prompt_id: id })).status).toBe(200);
    expect(await strictPost({ prompt, prompt_id: id })).toEqual({ status: 409, body: { error: 'prompt_id already exists' } });
    await strict.close();
    expect(await post('/prompt', { prompt: { ...prompt, '20': { class_type: 'Nope', inputs: {} } } })).toEqual({
      status: 400,
      body: { error: { type: 'invalid_prompt', message: 'Cannot execute because node Nope does not exist.', details: "Node ID '#20'", extra_info: {} }, node_errors: {} },
    });
    const noOutputs = { ...prompt };
    delete noOutputs['9'];
    expect(await post('/prompt', { prompt: noOutputs })).toMatchObject({ status: 400, body: { error: { type: 'prompt_no_outputs' } } });
    const big = structuredClone(prompt);
    big['3']!.inputs.steps = 20000;
    expect(await post('/prompt', { prompt: big })).toEqual({
      status: 400,
      body: {
        error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: 'Value 20000 bigger than max of 10000: steps', extra_info: {} },
        node_errors: {
          '3': {
            errors: [{ type: 'value_bigger_than_max', message: 'Value 20000 bigger than max of 10000', details: 'steps', extra_info: { input_name: 'steps', received_value: 20000 } }],
            dependent_outputs: ['9'],
            class_type: 'KSampler',
          },
        },
      },
    });
    expect(await post('/prompt', { nothing: true })).toMatchObject({ status: 400, body: { error: { type: 'no_prompt' } } });
  });

  test('/view serves output and temp files, refuses escapes, 404s the missing', async () => {
    const prompt = await template();
    prompt['10'] = { class_type: 'PreviewImage', inputs: { images: ['8', 0] } };
    const finished = fake.waitFor<{ promptId: string }>('finished');
    const { prompt_id: id } = (await post('/prompt', { prompt })).body as { prompt_id: string };
    await finished;
    const outputs = (fake.history.get(id)!.outputs as Record<string, { images: Array<{ filename: string; type: string }> }>);
    const temp = outputs['10']!.images[0]!;
    expect(temp.type).toBe('temp');
    const ok = await get(`/view?filename=${temp.filename}&type=temp&subfolder=`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(ok.headers.get('content-disposition')).toBe(`filename="${temp.filename}"`);
    expect((await get(`/view?filename=${temp.filename}`)).status).toBe(404); // default type is output
    expect((await get('/view?filename=../secret.png')).status).toBe(400);
    expect((await get('/view?filename=/etc/passwd')).status).toBe(400);
    expect((await get('/view?filename=a.png&subfolder=../../etc')).status).toBe(403);
    expect((await get('/api/view?filename=missing.png')).status).toBe(404);
  });

  test('interrupt stops only the running prompt it names and is broadcast as execution_interrupted', async () => {
    const client = await socket('c');
    fake.holdSteps();
    const started = fake.waitFor('execution-start');
    const { prompt_id: id } = (await post('/prompt', { prompt: await template(), client_id: 'c' })).body as { prompt_id: string };
    await started;
    expect((await post('/interrupt', { prompt_id: '2b9f6c1e-2a8e-4f5e-9d8a-3c2b1a0f9e8d' })).status).toBe(200);
    expect(fake.running?.[1]).toBe(id);
    const finished = fake.waitFor<{ success: boolean }>('finished');
    await post('/api/interrupt', { prompt_id: id });
    expect(await finished).toEqual({ promptId: id, success: false });
    expect(fake.received.interrupts.map((i) => i.applied)).toEqual([false, true]);
    const done = new Promise<void>((resolve) => client.ws.on('message', (d) => String(d).includes('"node":null') && resolve()));
    if (!client.messages.some((m) => m.type === 'executing' && m.data.node === null)) await done;
    expect(client.messages.map((m) => m.type)).toContain('execution_interrupted');
    client.ws.close();
  });

  test('system_stats and object_info have ComfyUI shapes', async () => {
    const stats = (await (await get('/system_stats')).json()) as { system: Record<string, unknown>; devices: unknown[] };
    expect(Object.keys(stats.system)).toEqual(expect.arrayContaining(['os', 'ram_total', 'ram_free', 'comfyui_version', 'python_version', 'pytorch_version', 'embedded_python', 'argv']));
    expect(stats.devices[0]).toMatchObject({ type: 'cuda', index: 0 });
    const info = (await (await get('/api/object_info/KSampler')).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(info)).toEqual(['KSampler']);
    expect(info.KSampler).toMatchObject({ output: ['LATENT'], output_node: false, name: 'KSampler', category: 'sampling' });
    expect(Object.keys((await (await get('/object_info')).json()) as object)).toContain('SaveAnimatedWEBP');
  });
});
