import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import type { Generator } from '../../src/core/generator.js';
import { createBuiltinGenerator } from '../../src/worker/backends/builtin/index.js';
import { api } from '../support/api.js';
import { jobEnds } from '../support/job-ends.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 14 items 5 and 6: recipes out (recipe and workflow downloads), back in (run again), and no
 * GPU time spent twice (identical recipes answered from stored files; identical requests in
 * flight together share one render). The worker runs the real built-in renderer behind a gate,
 * so a test can hold a render in flight and count how many renders really ran.
 */
let stack: TestStack;
let ends: Awaited<ReturnType<typeof jobEnds>>;
let renders = 0;
let gate: Promise<void> | undefined;
let openGate: () => void = () => undefined;
let creator: string;
let other: string;
let mod: string;

function holdRenders(): void {
  gate = new Promise((resolve) => {
    openGate = () => {
      gate = undefined;
      resolve();
    };
  });
}

beforeAll(async () => {
  stack = await startTestStack({ env: { RATE_LIMIT_BURST: '100', MAX_PENDING_PER_USER: '20' } });
  const builtin = createBuiltinGenerator({ stepDelayMs: 0 });
  const gated: Generator = {
    name: builtin.name,
    async generate(input, options) {
      renders++;
      await gate;
      return builtin.generate(input, options);
    },
  };
  await stack.startWorker({ generator: gated });
  ends = await jobEnds(stack);
  creator = await stack.token('aiko', 'creator');
  other = await stack.token('ben', 'creator');
  mod = await stack.token('mods', 'moderator');
});
afterAll(async () => {
  openGate();
  await stack?.close();
});
beforeEach(() => {
  renders = 0;
});

const BASE = { width: 64, height: 64, steps: 2 };

async function generate(token: string, body: Record<string, unknown>) {
  const created = await api(stack, 'POST', '/api/anime/generate', token, { ...BASE, ...body });
  expect(created.status, JSON.stringify(created.json)).toBe(202);
  return created.json;
}

async function finished(token: string, body: Record<string, unknown>) {
  const created = await generate(token, body);
  await ends.ended(created.job_id);
  return status(token, created.job_id);
}

async function status(token: string, jobId: string) {
  return (await api(stack, 'GET', `/api/anime/generation/${jobId}/status`, token)).json;
}

async function storageKeys(jobId: string): Promise<string[]> {
  const { rows } = await stack.database.pool.query<{ storage_key: string }>('SELECT storage_key FROM assets WHERE job_id = $1 AND deleted_at IS NULL ORDER BY storage_key', [jobId]);
  return rows.map((r) => r.storage_key);
}

async function filesOnDisk(): Promise<number> {
  const all = await readdir(join(stack.dataDir, 'media'), { recursive: true, withFileTypes: true }).catch(() => []);
  return all.filter((entry) => entry.isFile()).length;
}

test('the recipe endpoint answers the resolved recipe; the workflow of a built-in job is a clear 404; strangers, other spaces and unknown ids get 404', async () => {
  const done = await finished(creator, { prompt: 'a paper lantern festival', negative_prompt: 'blurry', seed: 1234 });
  const id = done.job_id as string;
  expect(done).toMatchObject({ status: 'completed', reused: false, recipe_url: `${stack.baseUrl}/api/anime/generation/${id}/recipe` });

  const recipe = await api(stack, 'GET', `/api/anime/generation/${id}/recipe`, creator);
  expect(recipe.status).toBe(200);
  expect(recipe.headers.get('content-disposition')).toBe(`attachment; filename="recipe-${id}.json"`);
  expect(recipe.json).toMatchObject({
    format: 'anime-production/recipe@1',
    job_id: id,
    project: 'general',
    prompt: 'a paper lantern festival',
    seed: 1234,
    width: 64,
    height: 64,
    steps: 2,
    count: 1,
    kind: 'image',
    inputs: [],
    characters: [],
    reused: false,
    backend: 'builtin',
    request: { prompt: 'a paper lantern festival', negativePrompt: 'blurry', seed: 1234 },
  });
  // The space negative is appended after the user's: the recipe holds what was sent.
  expect(recipe.json.negative_prompt).toMatch(/^blurry/);
  expect(recipe.json.template_version).toMatch(/^builtin@[0-9a-f]{16}$/);
  expect(recipe.json.recipe_key).toMatch(/^[0-9a-f]{64}$/);

  const workflow = await api(stack, 'GET', `/api/anime/generation/${id}/workflow`, creator);
  expect(workflow.status).toBe(404);
  expect(workflow.json.error).toMatchObject({ code: 'not_found', message: 'this job ran on the built-in renderer, which sends no workflow; its recipe has every setting' });

  // A finished job in a project the reader may see: its recipe is what the gallery shows them anyway.
  expect((await api(stack, 'GET', `/api/anime/generation/${id}/recipe`, other)).status).toBe(200);
  const elsewhere = await stack.token('aiko', 'creator', 'another-space');
  expect((await api(stack, 'GET', `/api/anime/generation/${id}/recipe`, elsewhere)).json.error.code).toBe('not_found');
  expect((await api(stack, 'GET', '/api/anime/generation/00000000-0000-4000-8000-00000000abcd/recipe', creator)).status).toBe(404);
  expect((await api(stack, 'GET', '/api/anime/generation/not-a-uuid/workflow', creator)).status).toBe(404);
  expect((await api(stack, 'GET', `/api/anime/generation/${id}/recipe`, undefined)).status).toBe(401);
});

test('run again with the same seed is an identical recipe: answered at once, reused, no render and no new files; a new seed renders', async () => {
  const first = await finished(creator, { prompt: 'a fox under cherry blossoms', seed: 77 });
  const keys = await storageKeys(first.job_id);
  const files = await filesOnDisk();
  renders = 0;

  const again = await api(stack, 'POST', `/api/anime/generation/${first.job_id}/again`, creator, { seed: 'same' });
  expect(again.status).toBe(202);
  expect(again.json).toMatchObject({ status: 'completed', reused: true, seed: 77 });
  const reused = await status(creator, again.json.job_id);
  expect(reused).toMatchObject({ status: 'completed', reused: true, seed: 77, progress: 100 });
  expect(reused.images).toHaveLength(1);
  expect(renders).toBe(0);
  expect(await storageKeys(again.json.job_id)).toEqual(keys);
  expect(await filesOnDisk()).toBe(files);
  // Its own record: own id, its own user, and an audit row naming the twin.
  expect(again.json.job_id).not.toBe(first.job_id);
  const audit = await stack.database.pool.query('SELECT details FROM audit_log WHERE action = $1 AND target = $2', ['job.reused', again.json.job_id]);
  expect(audit.rows[0]?.details).toMatchObject({ twin: first.job_id, files: 3 });
  // Its files serve: the media link of the reused record opens the shared original.
  expect((await fetch(reused.images[0].url)).status).toBe(200);
  // Its recipe equals the twin's, key included.
  const [a, b] = await Promise.all([first.job_id, again.json.job_id].map(async (id: string) => (await api(stack, 'GET', `/api/anime/generation/${id}/recipe`, creator)).json));
  expect(b!.recipe_key).toBe(a!.recipe_key);
  expect(b!.reused).toBe(true);

  const fresh = await api(stack, 'POST', `/api/anime/generation/${first.job_id}/again`, creator, { seed: 'new' });
  expect(fresh.status).toBe(202);
  expect(fresh.json.status).toBe('queued');
  await ends.ended(fresh.json.job_id);
  expect(await status(creator, fresh.json.job_id)).toMatchObject({ status: 'completed', reused: false });
  expect(renders).toBe(1);

  expect((await api(stack, 'POST', `/api/anime/generation/${first.job_id}/again`, creator, { seed: 42 })).json.error).toMatchObject({ code: 'invalid_input', field: 'seed' });
  expect((await api(stack, 'POST', `/api/anime/generation/${first.job_id}/again`, creator, { seeds: 'same' })).status).toBe(400);
  // Run again follows the reading rule of re-roll: another member's job is not theirs to run.
  expect((await api(stack, 'POST', `/api/anime/generation/${first.job_id}/again`, other, {})).status).toBe(404);
});

test('an identical request from another member of the space is reused; re-roll always renders', async () => {
  const first = await finished(creator, { prompt: 'a lighthouse in the rain', seed: 99 });
  renders = 0;
  const twin = await generate(other, { prompt: 'a lighthouse in the rain', seed: 99 });
  expect(twin).toMatchObject({ status: 'completed', reused: true });
  expect(await storageKeys(twin.job_id)).toEqual(await storageKeys(first.job_id));
  expect(renders).toBe(0);

  const rerolled = await api(stack, 'POST', `/api/anime/generation/${first.job_id}/reroll`, creator);
  expect(rerolled.json.status).toBe('queued');
  await ends.ended(rerolled.json.job_id);
  expect(renders).toBe(1);
});

test('reuse only answers from projects the requester may see: a private project\'s twin does not answer a non-member', async () => {
  expect((await api(stack, 'POST', '/api/projects', mod, { name: 'Secret', slug: 'secret', visibility: 'private' })).status).toBe(201);
  expect((await api(stack, 'POST', '/api/projects/secret/members', mod, { add: ['aiko'] })).status).toBe(200);
  const hidden = await finished(creator, { prompt: 'a hidden shrine', seed: 5, project: 'secret' });
  expect(hidden.status).toBe('completed');
  renders = 0;
  // The same recipe in a project ben sees: no twin he may see, so it renders.
  const bens = await generate(other, { prompt: 'a hidden shrine', seed: 5 });
  expect(bens.status).toBe('queued');
  await ends.ended(bens.job_id);
  expect(renders).toBe(1);
  expect(await storageKeys(bens.job_id)).not.toEqual(await storageKeys(hidden.job_id));
  // And its recipe is not ben's to read.
  expect((await api(stack, 'GET', `/api/anime/generation/${hidden.job_id}/recipe`, other)).status).toBe(404);
});

test('identical requests arriving together share one render; every one completes with the same files', async () => {
  holdRenders();
  const body = { prompt: 'three friends at a summer festival', seed: 2024 };
  const all = await Promise.all([generate(creator, body), generate(other, body), generate(creator, body)]);
  const ids = all.map((j) => j.job_id as string);
  const waiting = all.filter((j) => j.reused);
  expect(waiting).toHaveLength(2);
  openGate();
  for (const id of ids) await ends.ended(id);
  expect(renders).toBe(1);
  const keys = await Promise.all(ids.map(storageKeys));
  expect(keys[0]).toHaveLength(3);
  expect(keys[1]).toEqual(keys[0]);
  expect(keys[2]).toEqual(keys[0]);
  for (const [i, id] of ids.entries()) {
    expect(await status(i === 1 ? other : creator, id)).toMatchObject({ status: 'completed' });
  }
  const completedEvents = ends.events.filter((e) => e.type === 'completed' && ids.includes(e.jobId));
  expect(completedEvents.filter((e) => e.type === 'completed' && e.reused)).toHaveLength(2);
});

test('cancelling a job that waits on a render leaves the render alone; cancelling the render hands it to one that waited', async () => {
  holdRenders();
  const body = { prompt: 'a kite over the harbour', seed: 31 };
  const leader = await generate(creator, body);
  const follower = await generate(other, body);
  const third = await generate(other, body);
  expect(follower.reused).toBe(true);

  expect((await api(stack, 'POST', `/api/anime/generation/${follower.job_id}/cancel`, other)).json.status).toBe('cancelled');
  expect((await status(creator, leader.job_id)).status).not.toBe('cancelled');

  expect((await api(stack, 'POST', `/api/anime/generation/${leader.job_id}/cancel`, creator)).json.status).toBe('cancelled');
  openGate();
  await ends.ended(third.job_id);
  const promoted = await status(other, third.job_id);
  expect(promoted).toMatchObject({ status: 'completed', reused: false });
  expect(await storageKeys(third.job_id)).toHaveLength(3);
});

test('deleting one record keeps the files another record still uses; deleting the last one removes them', async () => {
  const first = await finished(creator, { prompt: 'a snow owl on a lantern', seed: 8 });
  const twin = await generate(other, { prompt: 'a snow owl on a lantern', seed: 8 });
  expect(twin.reused).toBe(true);
  const files = await filesOnDisk();

  const deleted = await api(stack, 'DELETE', `/api/anime/generation/${first.job_id}/images`, creator);
  expect(deleted.json).toEqual({ job_id: first.job_id, deleted_files: 0 });
  expect(await filesOnDisk()).toBe(files);
  const kept = await status(other, twin.job_id);
  expect(kept.images).toHaveLength(1);
  expect((await fetch(kept.images[0].url)).status).toBe(200);
  // The deleted record answers nobody any more; the one still keeping the files does.
  const third = await generate(mod, { prompt: 'a snow owl on a lantern', seed: 8 });
  expect(third.reused).toBe(true);
  expect(await storageKeys(third.job_id)).toEqual(await storageKeys(twin.job_id));

  await api(stack, 'DELETE', `/api/anime/generation/${twin.job_id}/images`, other);
  expect(await filesOnDisk()).toBe(files);
  const last = await api(stack, 'DELETE', `/api/anime/generation/${third.job_id}/images`, mod);
  expect(last.json.deleted_files).toBe(3);
  expect(await filesOnDisk()).toBe(files - 3);
});

test('moving an image whose files another record shares moves the file once and both records follow it', async () => {
  expect((await api(stack, 'POST', '/api/projects', mod, { name: 'Posters', slug: 'posters' })).status).toBe(201);
  const first = await finished(creator, { prompt: 'a crane folding paper', seed: 12 });
  const twin = await generate(other, { prompt: 'a crane folding paper', seed: 12 });
  expect(twin.reused).toBe(true);
  const moved = await api(stack, 'POST', `/api/anime/generation/${first.job_id}/move`, mod, { project: 'posters' });
  expect(moved.status, JSON.stringify(moved.json)).toBe(200);
  const keys = await storageKeys(twin.job_id);
  expect(keys.every((key) => key.startsWith('posters/'))).toBe(true);
  expect(await storageKeys(first.job_id)).toEqual(keys);
  const kept = await status(other, twin.job_id);
  expect(kept.project).toBe('general');
  expect((await fetch(kept.images[0].url)).status).toBe(200);
});

async function uploadPicture(token: string): Promise<string> {
  const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: 255, g: 0, b: 255 } } }).png().toBuffer();
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'ref.png');
  const response = await fetch(`${stack.baseUrl}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(response.status).toBe(201);
  return ((await response.json()) as { asset_id: string }).asset_id;
}

async function inputRows(jobId: string) {
  const { rows } = await stack.database.pool.query<{ storage_key: string; sha256: string; source_upload_id: string }>(
    "SELECT storage_key, sha256, source_upload_id FROM assets WHERE job_id = $1 AND variant = 'input' AND deleted_at IS NULL ORDER BY output_index",
    [jobId],
  );
  return rows;
}

async function outputKeys(jobId: string): Promise<string[]> {
  const { rows } = await stack.database.pool.query<{ storage_key: string }>("SELECT storage_key FROM assets WHERE job_id = $1 AND variant <> 'input' AND deleted_at IS NULL ORDER BY storage_key", [jobId]);
  return rows.map((r) => r.storage_key);
}

test('an identical request with the same picture is answered from the stored files; the reused record has its own input and its recipe lists it', async () => {
  const picture = await uploadPicture(creator);
  const body = { prompt: 'a shrine maiden from my sketch', seed: 404, reference_image: picture, strength: 0.7 };
  const first = await finished(creator, body);
  expect(first).toMatchObject({ status: 'completed', reused: false });
  expect(renders).toBe(1);

  const again = await generate(creator, body);
  expect(again).toMatchObject({ status: 'completed', reused: true });
  expect(renders).toBe(1);
  expect(await status(creator, again.job_id)).toMatchObject({ status: 'completed', reused: true, progress: 100 });
  expect(await outputKeys(again.job_id)).toEqual(await outputKeys(first.job_id));
  const [theirs, mine] = await Promise.all([inputRows(first.job_id), inputRows(again.job_id)]);
  expect(mine).toHaveLength(1);
  expect(mine[0]).toMatchObject({ sha256: theirs[0]!.sha256, source_upload_id: picture });
  // Its own copy, beside its own record: deleting the twin never takes its picture.
  expect(mine[0]!.storage_key).toContain(again.job_id);

  const [a, b] = await Promise.all([first.job_id, again.job_id].map(async (id: string) => (await api(stack, 'GET', `/api/anime/generation/${id}/recipe`, creator)).json));
  expect(b!.inputs).toEqual([{ role: 'reference', sha256: theirs[0]!.sha256, strength: 0.7 }]);
  expect(b!.inputs).toEqual(a!.inputs);
  expect(b!.recipe_key).toBe(a!.recipe_key);
  expect(b!.reused).toBe(true);

  // Another upload of the same bytes is the same input; another strength is another recipe.
  const sameBytes = await uploadPicture(other);
  expect((await generate(other, { ...body, reference_image: sameBytes })).reused).toBe(true);
  const stronger = await generate(creator, { ...body, strength: 0.9 });
  expect(stronger.status).toBe('queued');
  await ends.ended(stronger.job_id);
  expect(renders).toBe(2);
});

test('identical requests with the same picture arriving together share one render; the one that waited has its input', async () => {
  const picture = await uploadPicture(creator);
  holdRenders();
  const body = { prompt: 'two cats on a moonlit roof', seed: 515, reference_image: picture };
  const leader = await generate(creator, body);
  const follower = await generate(other, body);
  expect(leader).toMatchObject({ status: 'queued' });
  expect(follower).toMatchObject({ status: 'queued', reused: true });
  // Waiting, it already has its own copy of the picture.
  expect(await inputRows(follower.job_id)).toHaveLength(1);
  openGate();
  await ends.ended(leader.job_id);
  await ends.ended(follower.job_id);
  expect(renders).toBe(1);
  expect(await status(other, follower.job_id)).toMatchObject({ status: 'completed', reused: true });
  expect(await outputKeys(follower.job_id)).toEqual(await outputKeys(leader.job_id));
  const recipe = (await api(stack, 'GET', `/api/anime/generation/${follower.job_id}/recipe`, other)).json;
  expect(recipe.inputs).toHaveLength(1);
  expect(recipe.inputs[0]).toMatchObject({ role: 'reference', strength: 0.6 });
});

test('a request waiting on a render with a picture renders with its own copy when that render is cancelled', async () => {
  const picture = await uploadPicture(creator);
  holdRenders();
  const body = { prompt: 'a paper boat in a puddle', seed: 616, reference_image: picture };
  const leader = await generate(creator, body);
  const follower = await generate(other, body);
  expect(follower.reused).toBe(true);
  expect((await api(stack, 'POST', `/api/anime/generation/${leader.job_id}/cancel`, creator)).json.status).toBe('cancelled');
  openGate();
  await ends.ended(follower.job_id);
  expect(await status(other, follower.job_id)).toMatchObject({ status: 'completed', reused: false });
  expect(await inputRows(follower.job_id)).toHaveLength(1);
  expect(await outputKeys(follower.job_id)).toHaveLength(3);
});
