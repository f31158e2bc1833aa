import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '../support/api.js';
import { IMAGE_ONLY, startFarm, type Farm } from '../support/farm.js';

/**
 * Issue 13 item 1: three fake ComfyUI boxes that differ in what they have, as /object_info says.
 * gpu1 has only Animagine and no animation savers; gpu2 also has Pony, still no animation savers;
 * video has the video savers (and its own video model) and only Animagine. Each job goes to a box that can run it.
 */
let farm: Farm;

beforeAll(async () => {
  farm = await startFarm(
    {
      gpu1: { ...IMAGE_ONLY, checkpoints: ['animagine-xl-3.1.safetensors'] },
      gpu2: { ...IMAGE_ONLY, checkpoints: ['animagine-xl-3.1.safetensors', 'pony-xl.safetensors'] },
      video: { checkpoints: ['animagine-xl-3.1.safetensors'] },
    },
    { COMFYUI_MODELS: 'animagine=Animagine XL:animagine-xl-3.1.safetensors,pony=Pony XL:pony-xl.safetensors' },
  );
  await farm.stack.startWorker();
});

afterAll(async () => {
  await farm?.close();
});

function ranOn(box: string, jobId: string): boolean {
  return farm.boxes[box]!.received.prompts.some((p) => (p.body.extra_data as { job_id?: string } | undefined)?.job_id === jobId);
}

test('each box reports what it can run in the farm states, idle, by name and host:port', async () => {
  const states = await farm.states.all();
  expect(states.map((s) => [s.name, s.state, s.kind])).toEqual([
    ['gpu1', 'idle', 'comfyui'],
    ['gpu2', 'idle', 'comfyui'],
    ['video', 'idle', 'comfyui'],
  ]);
  expect(states.find((s) => s.name === 'gpu2')!.models).toEqual(['animagine', 'pony']);
  expect(states.find((s) => s.name === 'gpu1')!.models).toEqual(['animagine']);
  expect(states.find((s) => s.name === 'video')!.server).toBe(new URL(farm.boxes.video!.url).host);
});

test('a model only one box has goes to that box; a video job to the video box', async () => {
  const pony = await farm.submit('aiko', { model: 'pony' });
  const clip = await farm.submit('aiko', { type: 'video' });
  const done = await Promise.all([pony, clip].map((id) => farm.event((e) => e.jobId === id && (e.type === 'completed' || e.type === 'failed'))));
  expect(done.map((e) => e.type)).toEqual(['completed', 'completed']);
  expect(done.map((e) => (e as { backend?: string }).backend)).toEqual(['gpu2', 'video']);
  expect(ranOn('gpu2', pony) && !ranOn('gpu1', pony) && !ranOn('video', pony)).toBe(true);
  expect(ranOn('video', clip) && !ranOn('gpu1', clip) && !ranOn('gpu2', clip)).toBe(true);
  const attempts = await farm.stack.database.pool.query<{ job_id: string; backend: string }>('SELECT job_id, backend FROM job_attempts WHERE job_id = ANY($1) ORDER BY started_at', [[pony, clip]]);
  expect(attempts.rows.map((r) => [r.job_id, r.backend])).toEqual([
    [pony, 'gpu2'],
    [clip, 'video'],
  ]);
});

test('a job no backend can run is refused at submission with words saying why, and nothing is queued', async () => {
  // A farm of image boxes only: nothing can make a video (here the video box makes videos whatever
  // image model is named, since its template carries its own video model).
  const images = await startFarm({ still: { ...IMAGE_ONLY, checkpoints: ['animagine-xl-3.1.safetensors'] } }, { COMFYUI_MODELS: 'animagine=Animagine XL:animagine-xl-3.1.safetensors' });
  try {
    await images.stack.startWorker();
    const token = await images.stack.token('ben', 'creator');
    const count = async () => (await images.stack.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows[0]!.n;
    const before = await count();
    const refused = await api(images.stack, 'POST', '/api/anime/generate', token, { prompt: 'a pony running', type: 'video' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.field).toBe('type');
    expect(refused.json.error.message).toBe('type: no image server can make videos with model animagine; no image server can make videos right now');
    expect(await count()).toBe(before);
  } finally {
    await images.close();
  }
});
