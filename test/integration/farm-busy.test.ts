import { afterEach, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { startFarm, type Farm } from '../support/farm.js';

/** Issue 13: one backend's trouble stops that backend only, never the rest of the farm. */
let farm: Farm | undefined;

afterEach(async () => {
  await farm?.close();
  farm = undefined;
});

const ended = (jobId: string) => (e: JobEvent) => e.jobId === jobId && (e.type === 'completed' || (e.type === 'failed' && !e.willRetry));

test('a box that answers "busy, retry in ten minutes" cools down alone: its job and the ones after finish on the other box meanwhile', async () => {
  farm = await startFarm({ busy: {}, free: {} });
  const { busy, free } = farm.boxes;
  // A proxy before an overloaded box: every prompt refused with 503 and Retry-After: 600 (ten minutes).
  busy!.script.busyRetryAfterS = 600;
  free!.holdSteps();
  await farm.stack.startWorker();
  // Whichever box takes the first job, one of the two reaches the busy box (the free one holds one at a time).
  const jobs = [await farm.submit('aiko'), await farm.submit('ben')];
  const refused = await farm.event((e) => e.type === 'failed' && e.willRetry && e.code === 'backend_busy');
  // The dashboard and /backend list say why it takes nothing: cooling, not idle.
  await farm.status('busy', (s) => s.state === 'cooling');
  // No limit on the route's queue: that would hold back every box serving it, not just the busy one.
  for (const route of farm.stack.runtime.queue.routes) expect(await farm.stack.runtime.queue.queueFor(route).getRateLimitTtl()).toBeLessThanOrEqual(0);
  jobs.push(await farm.submit('chika'));
  free!.releaseAllSteps();

  const done = await Promise.all(jobs.map((id) => farm!.event(ended(id))));
  expect(done.map((e) => [e.type, (e as { backend?: string }).backend])).toEqual(jobs.map(() => ['completed', 'free']));
  // Cooling for its ten minutes, the busy box was asked once; a queue-wide rate limit would have held every job back as long.
  expect(busy!.received.prompts.map((p) => p.status)).toEqual([503]);
  expect(free!.received.prompts.map((p) => (p.body.extra_data as { job_id?: string }).job_id).sort()).toEqual([...jobs].sort());
  // "Busy" spends no attempt: the refused job started again as its first attempt.
  const starts = farm.events.filter((e): e is Extract<JobEvent, { type: 'started' }> => e.type === 'started' && e.jobId === refused.jobId);
  expect(starts.map((e) => [e.backend, e.attempt])).toEqual([
    ['busy', 1],
    ['free', 1],
  ]);
});
