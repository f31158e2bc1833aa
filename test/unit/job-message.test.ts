import { describe, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { apply, buttons, fromRecord, isFinal, settle, type JobMessage } from '../../src/core/job-message/model.js';
import { assetRecords, completedRecord, JOB_ID, jobRecord } from '../support/job-fixtures.js';

const at = (ms: number) => ({ jobId: JOB_ID, at: ms });
const progress = (step: number, ms: number): JobEvent => ({ type: 'progress', ...at(ms), step, totalSteps: 20, percent: step * 4, stage: 'sampling' });
const run = (start: JobMessage, events: JobEvent[]) => events.reduce(apply, start);

describe('one job message, moved by events', () => {
  const queued = () => fromRecord(jobRecord(), [], 3);

  test('a new job: queued 3rd, then its place moves up, then it runs and finishes', () => {
    const m = run(queued(), [
      { type: 'queued', ...at(10), position: 2 },
      { type: 'started', ...at(20), attempt: 1, backend: 'builtin' },
      progress(5, 30),
      { type: 'saving', ...at(40), percent: 92 },
      { type: 'completed', ...at(50), assets: [], durationMs: 900, seed: 7, backend: 'builtin' },
    ]);
    expect(m).toMatchObject({ stage: 'completed', percent: 100, seed: 7, durationMs: 900 });
    expect(isFinal(m)).toBe(true);
  });

  test('out of order: a place in line after the start, and an older progress event, change nothing', () => {
    const running = run(queued(), [{ type: 'started', ...at(20), attempt: 1, backend: 'builtin' }, progress(8, 40)]);
    const after = run(running, [{ type: 'queued', ...at(45), position: 1 }, progress(6, 35), { type: 'started', ...at(15), attempt: 1, backend: 'builtin' }]);
    expect(after).toEqual(running);
    expect(after).toMatchObject({ stage: 'running', step: 8, percent: 32 });
  });

  test('an estimate comes with a place in line; small moves are not news, a real move or the first measurement is, and the start clears it', () => {
    const eta = (startsAt: number, approximate = false) => ({ startsAt, finishesAt: startsAt + 30_000, approximate });
    const now = 1_000_000;
    const estimated = apply(queued(), { type: 'queued', jobId: JOB_ID, at: now, position: 3, eta: eta(now + 120_000, true) });
    expect(estimated).toMatchObject({ stage: 'queued', position: 3, eta: eta(now + 120_000, true) });
    // Measured now: news even though the times barely moved.
    const measured = apply(estimated, { type: 'queued', jobId: JOB_ID, at: now + 1_000, position: 3, eta: eta(now + 121_000) });
    expect(measured.eta).toEqual(eta(now + 121_000));
    // 4 s on a two-minute wait: the same message, no edit.
    expect(apply(measured, { type: 'queued', jobId: JOB_ID, at: now + 2_000, position: 3, eta: eta(now + 117_000) })).toBe(measured);
    // Moved up and 40 s earlier: both shown.
    const moved = apply(measured, { type: 'queued', jobId: JOB_ID, at: now + 3_000, position: 2, eta: eta(now + 81_000) });
    expect(moved).toMatchObject({ position: 2, eta: eta(now + 81_000) });
    // A place without an estimate keeps the last one.
    expect(apply(moved, { type: 'queued', jobId: JOB_ID, at: now + 4_000, position: 1 })).toMatchObject({ position: 1, eta: eta(now + 81_000) });
    const started = apply(moved, { type: 'started', ...at(now + 5_000), attempt: 1, backend: 'builtin' });
    expect(started.eta).toBeUndefined();
    expect(fromRecord(jobRecord(), [], 2, eta(now)).eta).toEqual(eta(now));
  });

  test('duplicates: the same event twice is the same message', () => {
    const once = run(queued(), [{ type: 'started', ...at(20), attempt: 1, backend: 'builtin' }, progress(4, 30)]);
    expect(run(once, [progress(4, 30), { type: 'started', ...at(20), attempt: 1, backend: 'builtin' }])).toEqual(once);
  });

  test('a final event before a progress event: the final stays', () => {
    const failed = run(queued(), [{ type: 'failed', ...at(30), code: 'execution_failed', details: { node: 'KSampler' }, ref: 'r-1', willRetry: false }]);
    const after = run(failed, [progress(3, 20), progress(4, 40), { type: 'saving', ...at(50), percent: 92 }]);
    expect(after).toEqual(failed);
    expect(after.error).toEqual({ code: 'execution_failed', details: { node: 'KSampler' }, ref: 'r-1' });
    expect(buttons(after)).toEqual(['reroll']);
  });

  test('a retry goes back to "retrying", and the next attempt starts over from step 1', () => {
    const m = run(queued(), [
      { type: 'started', ...at(20), attempt: 1, backend: 'builtin' },
      progress(12, 30),
      { type: 'failed', ...at(40), code: 'backend_unreachable', details: {}, willRetry: true },
    ]);
    expect(m).toMatchObject({ stage: 'retrying', percent: 0 });
    expect(m.step).toBeUndefined();
    expect(run(m, [{ type: 'started', ...at(60), attempt: 2, backend: 'builtin' }, progress(1, 70)])).toMatchObject({ stage: 'running', step: 1 });
  });

  test('resume from a record mid-run: the recorded step and percent, then newer events continue it', () => {
    const resumed = fromRecord(jobRecord({ status: 'running', progress: 36, stage: 'sampling 9/20', attempts: 1, backend: 'builtin' }), []);
    expect(resumed).toMatchObject({ stage: 'running', step: 9, totalSteps: 20, percent: 36, activity: 'sampling' });
    expect(buttons(resumed)).toEqual(['cancel']);
    expect(apply(resumed, progress(10, 5_000))).toMatchObject({ step: 10, percent: 40 });
  });

  test('a record claimed ahead of its busy box reads as next in line until its start is heard', () => {
    const ready = fromRecord(jobRecord({ status: 'running', progress: 0, stage: 'ready', attempts: 1, backend: 'gpu1' }), []);
    expect(ready).toMatchObject({ stage: 'queued', position: 1, percent: 0 });
    expect(apply(ready, { type: 'started', ...at(60), attempt: 1, backend: 'gpu1' })).toMatchObject({ stage: 'starting', backend: 'gpu1' });
  });

  test('restart after the final landed: the record gives the same final message, events cannot move it', () => {
    const done = fromRecord(completedRecord(), assetRecords());
    expect(done).toMatchObject({ stage: 'completed', seed: 7, durationMs: 2_500, backend: 'builtin' });
    expect(done.outputs).toEqual([
      expect.objectContaining({ index: 0, original: expect.objectContaining({ assetId: 'a-orig', storageKey: 'p/2026-01-01/j-0.png' }), webp: expect.objectContaining({ assetId: 'a-webp' }) }),
    ]);
    expect(buttons(done)).toEqual(['reroll', 'delete']);
    expect(run(done, [progress(2, 9_000), { type: 'cancelled', ...at(9_500), by: 'user' }])).toEqual(done);
    // Deleted afterwards: still completed, nothing left to delete.
    expect(buttons(fromRecord(completedRecord(), []))).toEqual(['reroll']);
  });

  test('shows the prompt the user typed, not the one merged with characters', () => {
    expect(queued().job.prompt).toBe('a cat');
    expect(fromRecord(jobRecord({ request: null }), []).job.prompt).toBe('hero fragment, a cat');
  });

  test('an event of another job is ignored', () => {
    const m = queued();
    expect(apply(m, { type: 'cancelled', jobId: 'other', at: 1, by: 'user' })).toBe(m);
  });

  test('a recorded failure gives its code and structured details', () => {
    const m = fromRecord(jobRecord({ status: 'failed', errorCode: 'content_refused', errorDetails: '{"reason":"nsfw"}', errorRef: 'r-2' }), []);
    expect(m.error).toEqual({ code: 'content_refused', details: { reason: 'nsfw' }, ref: 'r-2' });
    expect(fromRecord(jobRecord({ status: 'failed', errorCode: 'x', errorDetails: 'old prose' }), []).error?.details).toEqual({});
  });

  test('settling a final state: the record facts, who cancelled from the event, the event while the record lags', () => {
    const cancelled = apply(queued(), { type: 'cancelled', ...at(5), by: 'moderator' });
    expect(settle(cancelled, fromRecord(jobRecord({ status: 'cancelled' }), []))).toMatchObject({ stage: 'cancelled', cancelledBy: 'moderator' });
    const completed = apply(queued(), { type: 'completed', ...at(5), assets: [], durationMs: 1, seed: 7, backend: 'builtin' });
    expect(settle(completed, fromRecord(jobRecord({ status: 'running' }), []))).toBe(completed);
    expect(settle(completed, fromRecord(completedRecord(), assetRecords())).outputs[0]?.original.storageKey).toBe('p/2026-01-01/j-0.png');
  });
});

describe('the live preview of a rendering job', () => {
  const preview = (seq: number, ms: number): JobEvent => ({ type: 'preview', ...at(ms), seq });
  const running = () => run(fromRecord(jobRecord(), [], 1), [{ type: 'started', ...at(20), attempt: 1, backend: 'comfyui' }, progress(3, 30)]);

  test('a preview event becomes the state\'s preview, and a newer one replaces it', () => {
    const first = apply(running(), preview(1, 31));
    expect(first.preview).toEqual({ seq: 1 });
    expect(apply(apply(first, progress(6, 40)), preview(2, 41))).toMatchObject({ step: 6, preview: { seq: 2 } });
  });

  test('an out-of-order preview (a lower or equal sequence) is ignored', () => {
    const later = run(running(), [preview(3, 31), preview(2, 32), preview(3, 33)]);
    expect(later.preview).toEqual({ seq: 3 });
  });

  test('a final state drops the preview, and a preview after the final is ignored', () => {
    const withPreview = apply(running(), preview(1, 31));
    const completed = apply(withPreview, { type: 'completed', ...at(50), assets: [], durationMs: 900, seed: 7, backend: 'comfyui' });
    const failed = apply(withPreview, { type: 'failed', ...at(50), code: 'execution_failed', details: {}, willRetry: false });
    const cancelled = apply(withPreview, { type: 'cancelled', ...at(50), by: 'user' });
    for (const final of [completed, failed, cancelled]) {
      expect(isFinal(final)).toBe(true);
      expect(final.preview).toBeUndefined();
      expect(apply(final, preview(2, 60))).toBe(final);
    }
  });

  test('a retry drops the preview, and the failed attempt\'s straggler does not come back on the next one', () => {
    const retrying = run(running(), [preview(4, 31), { type: 'failed', ...at(40), code: 'backend_unreachable', details: {}, willRetry: true }]);
    expect(retrying.preview).toBeUndefined();
    const next = apply(retrying, { type: 'started', ...at(60), attempt: 2, backend: 'comfyui' });
    expect(apply(next, preview(5, 35)).preview).toBeUndefined();
    expect(apply(next, preview(1, 61)).preview).toEqual({ seq: 1 });
  });

  test('saving drops the preview (rendering is over); a job still queued or saving takes none', () => {
    expect(apply(fromRecord(jobRecord(), [], 2), preview(1, 10)).preview).toBeUndefined();
    const saving = apply(apply(running(), preview(1, 31)), { type: 'saving', ...at(40), percent: 92 });
    expect(saving.preview).toBeUndefined();
    expect(apply(saving, preview(2, 41)).preview).toBeUndefined();
  });
});
