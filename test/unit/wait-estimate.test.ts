import { describe, expect, test } from 'vitest';
import { DEFAULT_MS_PER_UNIT, expectedFrom, type MeasuredDuration } from '../../src/core/wait/durations.js';
import { estimateWaits, type Lane, type QueuedWork, type RunningWork, type WaitLine } from '../../src/core/wait/estimate.js';

const NOW = 1_000_000;
/** 20-step single images: with 100 ms per unit, a job takes 2 s. */
const MEASURED: MeasuredDuration[] = [
  { kind: 'image', model: 'anime', msPerUnit: 100, samples: 12 },
  { kind: 'image', model: 'rare', msPerUnit: 300, samples: 4 },
];
const queued = (jobId: string, model = 'anime', steps = 20): QueuedWork => ({ jobId, kind: 'image', model, steps, count: 1 });
const running = (jobId: string, startedAt: number, backend?: string, model = 'anime'): RunningWork => ({ jobId, kind: 'image', model, steps: 20, count: 1, startedAt, ...(backend ? { backend } : {}) });
const lanes = (n: number, models?: string[]): Lane[] => Array.from({ length: n }, (_, i) => ({ name: `gpu${i + 1}`, ...(models ? { models } : {}) }));

function line(over: Partial<WaitLine>): WaitLine {
  return { now: NOW, lanes: lanes(1), running: [], queued: [], expected: expectedFrom(MEASURED), ...over };
}

describe('estimateWaits', () => {
  test('an empty line on a free backend starts now and finishes one job time later', () => {
    const etas = estimateWaits(line({ queued: [queued('a')] }));
    expect(etas.get('a')).toEqual({ startsAt: NOW, finishesAt: NOW + 2_000, approximate: false });
    expect(estimateWaits(line({})).size).toBe(0);
  });

  test('N jobs ahead on k backends: the line is shared out, each backend one job at a time', () => {
    const jobs = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => queued(id));
    const etas = estimateWaits(line({ lanes: lanes(3), queued: jobs }));
    // Three at once, then the next three two seconds later, the seventh after four.
    expect(jobs.map((j) => etas.get(j.jobId)!.startsAt - NOW)).toEqual([0, 0, 0, 2_000, 2_000, 2_000, 4_000]);
    expect(etas.get('g')!.finishesAt - NOW).toBe(6_000);
    // One backend: each waits for all ahead.
    const single = estimateWaits(line({ queued: jobs }));
    expect(single.get('g')!.startsAt - NOW).toBe(12_000);
  });

  test('a model only one backend has waits for that backend, while the others take the rest of the line', () => {
    const farm: Lane[] = [{ name: 'big', models: ['anime', 'rare'] }, { name: 'small', models: ['anime'] }];
    const etas = estimateWaits(line({ lanes: farm, queued: [queued('a'), queued('r1', 'rare'), queued('b'), queued('r2', 'rare'), queued('c')] }));
    // a takes big, r1 must wait for big; b and c go to small meanwhile.
    expect(etas.get('a')!.startsAt - NOW).toBe(0);
    expect(etas.get('r1')!.startsAt - NOW).toBe(2_000);
    expect(etas.get('b')!.startsAt - NOW).toBe(0);
    expect(etas.get('r2')!.startsAt - NOW).toBe(8_000);
    expect(etas.get('c')!.startsAt - NOW).toBe(2_000);
    // No backend has it: no estimate, rather than a made-up one.
    expect(estimateWaits(line({ lanes: farm, queued: [queued('x', 'missing')] })).has('x')).toBe(false);
  });

  test('a job let in ahead on a busy box starts when the job there ends, not on another backend', () => {
    // gpu1 runs r1 (1.5 s left after 0.5 s) and has r2 claimed behind it; gpu2 is free.
    const etas = estimateWaits(line({
      lanes: lanes(2),
      running: [running('r1', NOW - 500, 'gpu1'), { ...running('r2', NOW - 400, 'gpu1'), ready: true }],
      queued: [queued('a'), queued('b')],
    }));
    // a takes gpu2 now; b waits for the first free lane: gpu2 at 2 s (gpu1 frees at 1.5 + 2 = 3.5 s).
    expect(etas.get('a')!.startsAt - NOW).toBe(0);
    expect(etas.get('b')!.startsAt - NOW).toBe(2_000);
    // The ready job listed first changes nothing: jobs on their boxes are placed first.
    const one = estimateWaits(line({ running: [{ ...running('r2', NOW - 400, 'gpu1'), ready: true }, running('r1', NOW - 500, 'gpu1')], queued: [queued('a')] }));
    expect(one.get('a')!.startsAt - NOW).toBe(3_500);
  });

  test('running jobs count by what they have left; one past its time is assumed nearly done', () => {
    const etas = estimateWaits(line({
      lanes: lanes(2),
      running: [running('r1', NOW - 1_500, 'gpu1'), running('r2', NOW - 500, 'gpu2')],
      queued: [queued('a'), queued('b')],
    }));
    expect(etas.get('a')!.startsAt - NOW).toBe(500);
    expect(etas.get('b')!.startsAt - NOW).toBe(1_500);
    const late = estimateWaits(line({ running: [running('r1', NOW - 10_000, 'gpu1')], queued: [queued('a')] }));
    expect(late.get('a')!.startsAt - NOW).toBe(200);
  });

  test('a running job on a backend not listed takes a capable free one; jobs with more steps take longer', () => {
    const etas = estimateWaits(line({ lanes: lanes(2), running: [running('r1', NOW - 1_000, 'elsewhere')], queued: [queued('a', 'anime', 40), queued('b')] }));
    expect(etas.get('a')).toEqual({ startsAt: NOW, finishesAt: NOW + 4_000, approximate: false });
    expect(etas.get('b')!.startsAt - NOW).toBe(1_000);
  });

  test('no history: the documented default, marked approximate, and so is everything queued behind it on that backend', () => {
    const etas = estimateWaits(line({ expected: expectedFrom([{ kind: 'image', model: 'anime', msPerUnit: 100, samples: 3 }]), queued: [queued('cold', 'new'), queued('a')] }));
    expect(etas.get('cold')).toEqual({ startsAt: NOW, finishesAt: NOW + 20 * DEFAULT_MS_PER_UNIT.image!, approximate: true });
    expect(etas.get('a')).toEqual({ startsAt: NOW + 20 * DEFAULT_MS_PER_UNIT.image!, finishesAt: NOW + 20 * DEFAULT_MS_PER_UNIT.image! + 2_000, approximate: true });
    expect(estimateWaits(line({ expected: expectedFrom([]), queued: [queued('v')] })).get('v')!.approximate).toBe(true);
  });
});
