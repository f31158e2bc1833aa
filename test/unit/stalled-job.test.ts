import { expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { failStalledJob, isStalledFailure } from '../../src/worker/stalled.js';
import { JOB_ID, jobRecord } from '../support/job-fixtures.js';

function deps(stillRunning: boolean) {
  const published: JobEvent[] = [];
  const released: string[] = [];
  const failed: Array<{ code: string; ref?: string }> = [];
  const closed: string[] = [];
  return {
    published, released, failed, closed,
    deps: {
      store: {
        getJob: async () => jobRecord({ status: stillRunning ? 'running' : 'cancelled' }),
        fail: async (_id: string, f: { code: string; ref?: string }) => (failed.push(f), stillRunning),
        closeAbandonedAttempts: async (id: string) => (closed.push(id), 1),
      },
      admission: { release: async (userId: string) => void released.push(userId) },
      events: { publish: async (e: JobEvent) => void published.push(e), subscribe: async () => async () => undefined },
    },
  };
}

test("BullMQ's stalled failure is recognised by its message", () => {
  // The reason moveStalledJobsToWait writes (bullmq/dist/esm/commands/moveStalledJobsToWait-9.lua).
  expect(isStalledFailure(new Error('job stalled more than allowable limit'))).toBe(true);
  expect(isStalledFailure(new Error('backend_unreachable'))).toBe(false);
});

test('a job that stalled too often is failed, frees its slot and publishes its failed event', async () => {
  const h = deps(true);
  await failStalledJob(h.deps, JOB_ID);
  expect(h.failed[0]).toMatchObject({ code: 'stalled' });
  // The dead attempt's GPU row is closed too (before the failure write, which moves updated_at).
  expect(h.closed).toEqual([JOB_ID]);
  expect(h.released).toEqual(['u']);
  expect(h.published).toEqual([expect.objectContaining({ type: 'failed', jobId: JOB_ID, code: 'stalled', willRetry: false, ref: h.failed[0]!.ref })]);
});

test('a stalled job that had already ended (cancelled meanwhile) announces nothing', async () => {
  const h = deps(false);
  await failStalledJob(h.deps, JOB_ID);
  expect(h.published).toEqual([]);
});
