import { afterEach, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { FakeComfyUi } from '../fakes/comfyui/server.js';
import { startFarm, type Farm } from '../support/farm.js';

/** Issue 13 items 1 and 2: fair order across two boxes, and a box that dies mid-job. */
let farm: Farm | undefined;

afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

const started = (f: Farm) => f.events.filter((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started');
const ended = (jobId: string) => (e: JobEvent) => e.jobId === jobId && (e.type === 'completed' || (e.type === 'failed' && !e.willRetry));

test('two users on two boxes: the second user\'s jobs start before the first user\'s third and fourth', async () => {
  farm = await startFarm({ a: {}, b: {} });
  const { a, b } = farm.boxes;
  a!.holdSteps();
  b!.holdSteps();
  await farm.stack.startWorker();
  const bothRunning = Promise.all([a!.waitFor('execution-start'), b!.waitFor('execution-start')]);
  const first = [];
  for (let i = 0; i < 4; i++) first.push(await farm.submit('aiko'));
  await bothRunning;
  const second = [await farm.submit('ben'), await farm.submit('ben')];
  a!.releaseAllSteps();
  b!.releaseAllSteps();
  const done = await Promise.all([...first, ...second].map((id) => farm!.event(ended(id))));
  expect(done.every((e) => e.type === 'completed')).toBe(true);

  const order = started(farm).map((e) => e.jobId);
  expect(new Set(order.slice(0, 2))).toEqual(new Set(first.slice(0, 2)));
  expect(new Set(order.slice(2, 4))).toEqual(new Set(second));
  expect(new Set(order.slice(4, 6))).toEqual(new Set(first.slice(2)));
  // Both boxes did work, one prompt at a time each.
  expect(new Set(done.map((e) => (e as { backend?: string }).backend))).toEqual(new Set(['a', 'b']));
});

test('a box killed mid-job: marked down, the job finishes on the other with both attempts recorded; the box rejoins when it is back', async () => {
  farm = await startFarm({ a: {}, b: {} });
  for (const box of Object.values(farm.boxes)) box.holdSteps();
  await farm.stack.startWorker();
  const running = Promise.race(Object.entries(farm.boxes).map(([name, box]) => box.waitFor('execution-start').then(() => name)));
  const jobId = await farm.submit('aiko');
  const dead = await running;
  const alive = dead === 'a' ? 'b' : 'a';
  farm.boxes[alive]!.releaseAllSteps();
  const port = Number(new URL(farm.boxes[dead]!.url).port);
  await farm.boxes[dead]!.close();

  // How soon is the probe's setting (BACKEND_PROBE_MS x BACKEND_DOWN_AFTER), not this test's to time:
  // the box is marked down, and the attempt it cut short (recorded below as interrupted there) counts.
  await farm.status(dead, (s) => s.state === 'down' && s.jobId === undefined);
  const end = await farm.event(ended(jobId));
  expect(end).toMatchObject({ type: 'completed', backend: alive });
  expect(farm.events.some((e) => e.jobId === jobId && e.type === 'failed' && e.willRetry && e.code === 'backend_unreachable')).toBe(true);

  const attempts = await farm.stack.database.pool.query<{ attempt: number; backend: string; outcome: string }>(
    'SELECT attempt, backend, outcome FROM job_attempts WHERE job_id = $1 ORDER BY started_at',
    [jobId],
  );
  expect(attempts.rows).toEqual([
    { attempt: 1, backend: dead, outcome: 'interrupted' },
    { attempt: 2, backend: alive, outcome: 'completed' },
  ]);
  // The prompt went to the dead box once and to the live one once: nothing ran twice.
  expect(farm.boxes[alive]!.received.prompts).toHaveLength(1);

  farm.boxes[dead] = await FakeComfyUi.start({ port, stepDelayMs: 5 });
  await farm.status(dead, (s) => s.state === 'idle');
  // It takes work again.
  farm.boxes[alive]!.holdSteps();
  const onAlive = farm.boxes[alive]!.waitFor('execution-start');
  const busy = await farm.submit('aiko');
  await onAlive;
  const next = await farm.submit('ben');
  expect(await farm.event(ended(next))).toMatchObject({ type: 'completed', backend: dead });
  farm.boxes[alive]!.releaseAllSteps();
  expect(await farm.event(ended(busy))).toMatchObject({ type: 'completed', backend: alive });
});
