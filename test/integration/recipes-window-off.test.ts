import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '../support/api.js';
import { jobEnds } from '../support/job-ends.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createStubGenerator } from '../support/stub-generator.js';

/** REUSE_WINDOW_HOURS=0: identical recipes render every time, and nothing waits on a twin. */
let stack: TestStack;
let renders = 0;

beforeAll(async () => {
  stack = await startTestStack({ env: { REUSE_WINDOW_HOURS: '0', RATE_LIMIT_BURST: '100' } });
  await stack.startWorker({ generator: await createStubGenerator(() => renders++) });
});
afterAll(async () => {
  await stack?.close();
});

test('with the window at 0 an identical recipe renders again, and identical requests together each render', async () => {
  const ends = await jobEnds(stack);
  const token = await stack.token('aiko', 'creator');
  const body = { prompt: 'a bamboo grove', seed: 3, width: 64, height: 64, steps: 1 };
  const first = await api(stack, 'POST', '/api/anime/generate', token, body);
  await ends.ended(first.json.job_id);
  const again = await api(stack, 'POST', `/api/anime/generation/${first.json.job_id}/again`, token, { seed: 'same' });
  expect(again.json).toMatchObject({ status: 'queued' });
  expect(again.json.reused).toBeUndefined();
  const together = await Promise.all([1, 2].map(() => api(stack, 'POST', '/api/anime/generate', token, body)));
  for (const id of [again.json.job_id, ...together.map((r) => r.json.job_id)]) await ends.ended(id);
  expect(renders).toBe(4);
  const status = await api(stack, 'GET', `/api/anime/generation/${again.json.job_id}/status`, token);
  expect(status.json).toMatchObject({ status: 'completed', reused: false });
});
