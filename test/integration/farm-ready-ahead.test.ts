import { afterEach, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { api } from '../support/api.js';
import { startFarm, type Farm } from '../support/farm.js';

/**
 * Issue 13 item 7: the next job for a box is claimed and prepared while the box finishes the one
 * before (only once that one is nearly done), sent only when the box is free, and withdrawn unspent
 * when the box stops taking work first.
 */
let farm: Farm | undefined;

afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

const STEPS = 20;
const ended = (jobId: string) => (e: JobEvent) => e.jobId === jobId && (e.type === 'completed' || (e.type === 'failed' && !e.willRetry));

/** Resolves once the job's record passes `accept` (the claim is a Postgres write: what is under test lands there). */
async function record(f: Farm, jobId: string, accept: (row: { status: string; stage: string; started_at: Date | null }) => boolean) {
  for (;;) {
    const { rows } = await f.stack.database.pool.query<{ status: string; stage: string; started_at: Date | null }>('SELECT status, stage, started_at FROM jobs WHERE id = $1', [jobId]);
    if (rows[0] && accept(rows[0])) return rows[0];
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function attempts(f: Farm, jobId: string) {
  const { rows } = await f.stack.database.pool.query<{ attempt: number; backend: string; outcome: string | null; started_at: Date }>(
    'SELECT attempt, backend, outcome, started_at FROM job_attempts WHERE job_id = $1 ORDER BY started_at',
    [jobId],
  );
  return rows;
}

test('the next job is claimed while the box finishes, sent once it is free, and its start is the moment it got the box', async () => {
  farm = await startFarm({ a: {} });
  const box = farm.boxes.a!;
  box.holdSteps();
  await farm.stack.startWorker();
  const firstRunning = box.waitFor('execution-start');
  const first = await farm.submit('aiko', { steps: STEPS });
  await firstRunning;
  const second = await farm.submit('ben', { steps: STEPS });
  await farm.event((e) => e.jobId === second && e.type === 'queued');
  expect((await record(farm, second, () => true)).status).toBe('queued');

  // The first is one step from its end: the second is claimed now, but not sent, and not yet "started".
  box.releaseSteps(STEPS - 1);
  // Marked ready: the wait estimate puts it behind the job on the box, a reader of the record sees it next in line.
  expect((await record(farm, second, (row) => row.status === 'running')).stage).toBe('ready');
  expect(box.received.prompts).toHaveLength(1);
  expect(farm.events.some((e) => e.jobId === second && e.type === 'started')).toBe(false);

  const order: string[] = [];
  box.events.on('finished', ({ promptId }: { promptId: string }) => order.push(`finished ${promptId}`));
  box.events.on('queued', (promptId: string) => order.push(`queued ${promptId}`));
  const freedAt = new Date();
  box.releaseAllSteps();
  const [firstEnd, secondEnd] = await Promise.all([farm.event(ended(first)), farm.event(ended(second))]);
  expect([firstEnd.type, secondEnd.type]).toEqual(['completed', 'completed']);
  // One prompt on the box at a time: the second arrived after the first finished.
  expect(order).toHaveLength(3);
  expect(order[0]).toMatch(/^finished /);
  expect(order[1]).toMatch(/^queued /);
  const startedAt = (jobId: string) => farm!.events.findIndex((e) => e.jobId === jobId && e.type === 'started');
  expect(startedAt(second)).toBeGreaterThan(startedAt(first));

  // Its attempt and its record start when it met the box, not at the claim a job earlier.
  const [only] = await attempts(farm, second);
  expect(only).toMatchObject({ attempt: 1, backend: 'a', outcome: 'completed' });
  expect(only!.started_at.getTime()).toBeGreaterThanOrEqual(freedAt.getTime() - 5);
  expect((await record(farm, second, () => true)).started_at!.getTime()).toBeGreaterThanOrEqual(freedAt.getTime() - 5);
});

test('a drained box withdraws its ready job: no attempt spent or recorded there, it runs on the other box', async () => {
  farm = await startFarm({ a: {}, b: {} });
  const { a, b } = farm.boxes;
  a!.holdSteps();
  b!.holdSteps();
  await farm.stack.startWorker();
  const bothRunning = Promise.all([a!.waitFor('execution-start'), b!.waitFor('execution-start')]);
  const firsts = [await farm.submit('aiko', { steps: STEPS }), await farm.submit('ben', { steps: STEPS })];
  await bothRunning;
  const third = await farm.submit('chiyo', { steps: STEPS });
  await farm.event((e) => e.jobId === third && e.type === 'queued');

  // Only a nears its end, so the third is made ready for a.
  a!.releaseSteps(STEPS - 1);
  await record(farm, third, (row) => row.status === 'running');
  const [ready] = await attempts(farm, third);
  expect(ready).toMatchObject({ attempt: 1, backend: 'a', outcome: null });

  const admin = await farm.stack.token('root', 'admin');
  expect((await api(farm.stack, 'POST', '/api/admin/backends/a/drain', admin)).status).toBe(200);
  // Back in line, unspent: its record says queued again and the ready attempt's row is gone.
  await record(farm, third, (row) => row.status === 'queued');
  expect(await attempts(farm, third)).toEqual([]);

  a!.releaseAllSteps();
  b!.releaseAllSteps();
  expect(await farm.event(ended(third))).toMatchObject({ type: 'completed', backend: 'b' });
  expect((await attempts(farm, third)).map(({ attempt, backend, outcome }) => ({ attempt, backend, outcome }))).toEqual([{ attempt: 1, backend: 'b', outcome: 'completed' }]);
  // Nothing of it reached a, and it never failed.
  expect(a!.received.prompts).toHaveLength(1);
  expect(farm.events.some((e) => e.jobId === third && e.type === 'failed')).toBe(false);
  for (const id of firsts) expect((await farm.event(ended(id))).type).toBe('completed');
});
