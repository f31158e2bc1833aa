import type { Expected, WorkShape } from './estimate.js';

/**
 * How long work keeps a backend, learned from finished attempts. Durations are kept per (kind,
 * model) as time per unit of work, a unit being one sampling step of one output (steps x count):
 * sampling is most of a job, so a 40-step job is expected to take about twice a 20-step one.
 */
export interface MeasuredDuration {
  kind: string;
  model: string;
  /** Median of the recent completed attempts' wall time (claim to end) over their steps x count. */
  msPerUnit: number;
  samples: number;
}

/**
 * Cold start (nothing measured yet for a kind and model): about half a second per step of one
 * image, i.e. 10 s for a default 20-step image, the order of a consumer GPU on SDXL; a video
 * step, which renders many frames, about six times that. Shown as "about" until measured.
 */
export const DEFAULT_MS_PER_UNIT: Readonly<Record<string, number>> = { image: 500, video: 3_000 };

export function workUnits(work: Pick<WorkShape, 'steps' | 'count'>): number {
  return Math.max(1, work.steps) * Math.max(1, work.count);
}

/** The expected duration of any work, from the measurements (a default when none fits). */
export function expectedFrom(measured: readonly MeasuredDuration[]): (work: WorkShape) => Expected {
  const byKey = new Map(measured.filter((m) => m.samples > 0 && m.msPerUnit > 0).map((m) => [`${m.kind}\n${m.model}`, m.msPerUnit]));
  return (work) => {
    const msPerUnit = byKey.get(`${work.kind}\n${work.model}`);
    if (msPerUnit !== undefined) return { ms: msPerUnit * workUnits(work), measured: true };
    return { ms: (DEFAULT_MS_PER_UNIT[work.kind] ?? DEFAULT_MS_PER_UNIT.image!) * workUnits(work), measured: false };
  };
}
