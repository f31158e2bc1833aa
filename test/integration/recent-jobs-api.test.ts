import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { generateAndWait } from './projects-support.js';

/** The try page's "recent jobs": one's own jobs as their stream views, newest first, deleted ones gone. */
let stack: TestStack;
let aiko: string;
let ren: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: true, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000' } });
  aiko = await stack.token('aiko', 'creator');
  ren = await stack.token('ren', 'creator');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

test('lists only the caller\'s jobs, newest first, each with its view: text, thumbnails, originals and buttons', async () => {
  const first = await generateAndWait(stack, aiko, { prompt: 'a fox in the snow', count: 2 });
  const second = await generateAndWait(stack, aiko, { prompt: 'a heron at dawn' });
  await generateAndWait(stack, ren, { prompt: 'someone else\'s moon' });

  const listed = await api(stack, 'GET', '/api/anime/jobs/recent', aiko);
  expect(listed.status).toBe(200);
  const jobs = listed.json.jobs as { job_id: string; project: string; kind: string; view: Record<string, unknown> & { images: { url: string; thumbnail_url?: string }[] } }[];
  expect(jobs.map((j) => j.job_id)).toEqual([second.job_id, first.job_id]);
  expect(jobs[1]).toMatchObject({ project: 'general', kind: 'image', view: { stage: 'completed', text: 'Done', prompt: 'a fox in the snow', actions: ['reroll', 'delete'] } });
  expect(jobs[1]!.view.images).toHaveLength(2);
  for (const image of jobs[1]!.view.images) {
    expect(image.url).toMatch(/\/media\//);
    const thumb = await fetch(image.thumbnail_url!);
    expect(thumb.status).toBe(200);
  }
  expect(JSON.stringify(listed.json)).not.toContain('moon');
});

test('a job whose files were deleted leaves the list', async () => {
  const done = await generateAndWait(stack, ren, { prompt: 'a lantern festival' });
  const before = await api(stack, 'GET', '/api/anime/jobs/recent', ren);
  expect(before.json.jobs.map((j: { job_id: string }) => j.job_id)).toContain(done.job_id);
  expect((await api(stack, 'DELETE', `/api/anime/generation/${done.job_id}/images`, ren)).status).toBe(200);
  const after = await api(stack, 'GET', '/api/anime/jobs/recent', ren);
  expect(after.json.jobs.map((j: { job_id: string }) => j.job_id)).not.toContain(done.job_id);
});

test('deleted jobs do not count against the limit: limit=2 still shows two jobs with files', async () => {
  const mika = await stack.token('mika', 'creator');
  const kept = await generateAndWait(stack, mika, { prompt: 'a paper crane' });
  const deleted = [await generateAndWait(stack, mika, { prompt: 'a sketch to drop' }), await generateAndWait(stack, mika, { prompt: 'another to drop' })];
  for (const job of deleted) expect((await api(stack, 'DELETE', `/api/anime/generation/${job.job_id}/images`, mika)).status).toBe(200);
  const newest = await generateAndWait(stack, mika, { prompt: 'a koi pond' });
  const listed = await api(stack, 'GET', '/api/anime/jobs/recent?limit=2', mika);
  expect(listed.json.jobs.map((j: { job_id: string }) => j.job_id)).toEqual([newest.job_id, kept.job_id]);
});

test('limit is checked: a bad one is refused naming the field, a good one caps the list', async () => {
  for (const bad of ['0', '51', 'abc', '2.5']) {
    const refused = await api(stack, 'GET', `/api/anime/jobs/recent?limit=${bad}`, aiko);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'invalid_input', field: 'limit' });
  }
  const one = await api(stack, 'GET', '/api/anime/jobs/recent?limit=1', aiko);
  expect(one.json.jobs).toHaveLength(1);
  expect((await api(stack, 'GET', '/api/anime/jobs/recent', undefined)).status).toBe(401);
});
