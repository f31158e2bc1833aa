import type { BackendStatus } from '../src/core/farm-state.js';
import { fairPriority } from '../src/core/policy/fair-priority.js';
import { workUnits, type MeasuredDuration } from '../src/core/wait/durations.js';
import type { QueuedWork, RunningWork } from '../src/core/wait/estimate.js';
import { WaitEstimates } from '../src/infra/wait-estimates.js';
import { median, percentile } from './stats.js';

/**
 * How honest the wait estimate is: a simulated farm on a virtual clock (so 400 jobs of GPU time run
 * in a second, and every run is the same). Four backends run one prompt at a time, paced like a GPU
 * (a time per step per output, a fixed overhead, and +-20 % noise the estimator never sees); one
 * model is on one backend only. 40 users submit 400 jobs of three models, 20 to 40 steps, 1 or 2
 * outputs, in bursts faster than the farm, so lines form and drain. The line is the product's own:
 * fair priority (a user's Nth pending job behind everyone's first), then age; a free backend takes
 * the first job it can run. Each job's estimate is taken at submission through the same
 * WaitEstimates the service uses, fed from the simulation's records (the median per step of the last
 * 50 finished attempts per kind and model, as db/wait-records.ts computes it), and compared with its
 * real start.
 */
const USERS = 40;
const JOBS = 400;
const OVERHEAD_MS = 300;
const NOISE = 0.2;
/** The farm: the "rare" model is on gpu4 alone. */
const BACKENDS = [
  { name: 'gpu1', models: ['anime', 'real'] },
  { name: 'gpu2', models: ['anime', 'real'] },
  { name: 'gpu3', models: ['anime', 'real'] },
  { name: 'gpu4', models: ['anime', 'real', 'rare'] },
];
/** Real per-step time per output of each model on these GPUs (the estimator has to learn it). */
const MS_PER_STEP: Record<string, number> = { anime: 150, real: 110, rare: 220 };
const MODELS = ['anime', 'anime', 'anime', 'real', 'real', 'rare'];

interface SimJob extends QueuedWork {
  user: string;
  priority: number;
  createdAt: number;
  durationMs: number;
  estimatedStart?: number;
  approximate?: boolean;
  /** The baseline: places ahead x the median job time / backends, what "Nth in line" alone suggests. */
  naiveStart?: number;
  startedAt?: number;
  backend?: string;
}

export interface WaitFigures {
  /** Median and p90 of |estimated start - real start| / real wait, over jobs that waited at least a second. */
  medianShare: number;
  p90Share: number;
  /** The same over the jobs whose estimate rested on measured times only. */
  measuredMedianShare: number;
  measuredP90Share: number;
  /** Median absolute error of the start in seconds, and the median real wait. */
  medianErrorS: number;
  medianWaitS: number;
  /** The baseline's median and p90 share. */
  naiveMedianShare: number;
  naiveP90Share: number;
  waited: number;
  measured: number;
  jobs: number;
}

/** A small seeded generator (mulberry32): the same farm every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `fair: false` runs the same farm with a first-come line, to show how much error later jobs jumping ahead cause. */
export async function benchWaits(options: { fair: boolean } = { fair: true }): Promise<WaitFigures> {
  const rng = random(13);
  let now = 0;
  const queued: SimJob[] = [];
  const running = new Map<string, SimJob>();
  const finished: Array<{ kind: string; model: string; msPerUnit: number; endedAt: number }> = [];
  const done: SimJob[] = [];
  const freeAt = new Map<string, number>(BACKENDS.map((b) => [b.name, 0]));
  const order = (a: SimJob, b: SimJob) => a.priority - b.priority || a.createdAt - b.createdAt;

  const waits = new WaitEstimates(
    {
      async measured(): Promise<MeasuredDuration[]> {
        const byKey = new Map<string, number[]>();
        for (const f of [...finished].sort((a, b) => b.endedAt - a.endedAt)) {
          const key = `${f.kind}\n${f.model}`;
          const list = byKey.get(key) ?? [];
          if (list.length < 50) list.push(f.msPerUnit);
          byKey.set(key, list);
        }
        return [...byKey].map(([key, list]) => {
          const [kind, model] = key.split('\n') as [string, string];
          return { kind, model, msPerUnit: median(list), samples: list.length };
        });
      },
      async running(): Promise<RunningWork[]> {
        return [...running.values()].map((j) => ({ jobId: j.jobId, kind: j.kind, model: j.model, steps: j.steps, count: j.count, startedAt: j.startedAt!, backend: j.backend! }));
      },
      async queued(limit) {
        return [...queued].sort(order).slice(0, limit);
      },
      async states(): Promise<BackendStatus[]> {
        return BACKENDS.map((b) => ({ name: b.name, kind: 'comfyui', state: [...running.values()].some((j) => j.backend === b.name) ? 'busy' : 'idle', since: 0, worker: 'sim', templates: [], models: b.models, updatedAt: now, freshUntil: Number.MAX_SAFE_INTEGER }));
      },
      async reports() {
        return [];
      },
    },
    { concurrency: 1, log: { warn: () => undefined }, now: () => now },
  );

  // Arrivals: bursts of 40 jobs a little faster than the farm can run them, with pauses between.
  const arrivals: SimJob[] = [];
  let t = 0;
  for (let i = 0; i < JOBS; i++) {
    t += (i % 40 === 0 && i > 0 ? 30_000 : 0) + -Math.log(1 - rng()) * 700;
    const model = MODELS[Math.floor(rng() * MODELS.length)]!;
    const steps = [20, 25, 30, 40][Math.floor(rng() * 4)]!;
    const count = rng() < 0.25 ? 2 : 1;
    const noise = 1 + (rng() * 2 - 1) * NOISE;
    const durationMs = Math.round((OVERHEAD_MS + MS_PER_STEP[model]! * workUnits({ steps, count })) * noise);
    arrivals.push({ jobId: `job-${i}`, kind: 'image', model, steps, count, user: `user-${Math.floor(rng() * USERS)}`, priority: 0, createdAt: Math.round(t), durationMs });
  }

  const dispatch = () => {
    for (const backend of BACKENDS) {
      if ((freeAt.get(backend.name) ?? 0) > now || [...running.values()].some((j) => j.backend === backend.name)) continue;
      const next = [...queued].sort(order).find((j) => backend.models.includes(j.model));
      if (!next) continue;
      queued.splice(queued.indexOf(next), 1);
      next.startedAt = now;
      next.backend = backend.name;
      running.set(next.jobId, next);
    }
  };

  let a = 0;
  while (a < arrivals.length || running.size > 0 || queued.length > 0) {
    const nextEnd = Math.min(...[...running.values()].map((j) => j.startedAt! + j.durationMs));
    const nextArrival = a < arrivals.length ? arrivals[a]!.createdAt : Number.POSITIVE_INFINITY;
    now = Math.min(nextEnd, nextArrival);
    for (const job of [...running.values()]) {
      if (job.startedAt! + job.durationMs > now) continue;
      running.delete(job.jobId);
      finished.push({ kind: job.kind, model: job.model, msPerUnit: job.durationMs / workUnits(job), endedAt: now });
      done.push(job);
    }
    dispatch();
    while (a < arrivals.length && arrivals[a]!.createdAt <= now) {
      const job = arrivals[a++]!;
      const pending = [...queued, ...running.values()].filter((j) => j.user === job.user).length;
      job.priority = options.fair ? fairPriority(pending) : 1;
      queued.push(job);
      const ahead = [...queued].sort(order).indexOf(job);
      const recentJobs = finished.slice(-50).map((f) => f.msPerUnit * 30);
      job.naiveStart = now + (ahead * (recentJobs.length > 0 ? median(recentJobs) : 10_000)) / BACKENDS.length;
      const eta = await waits.estimate(job.jobId);
      if (eta) {
        job.estimatedStart = eta.startsAt;
        job.approximate = eta.approximate;
      }
      dispatch();
    }
  }

  const waited = done.filter((j) => j.estimatedStart !== undefined && j.startedAt! - j.createdAt >= 1_000);
  const shares = (jobs: SimJob[], start = (j: SimJob) => j.estimatedStart!) => jobs.map((j) => Math.abs(start(j) - j.startedAt!) / (j.startedAt! - j.createdAt)).sort((x, y) => x - y);
  const all = shares(waited);
  const naive = shares(waited, (j) => j.naiveStart!);
  const measuredJobs = waited.filter((j) => !j.approximate);
  const measured = shares(measuredJobs);
  return {
    medianShare: median(all),
    p90Share: percentile(all, 90),
    measuredMedianShare: median(measured),
    measuredP90Share: percentile(measured, 90),
    medianErrorS: median(waited.map((j) => Math.abs(j.estimatedStart! - j.startedAt!) / 1000)),
    medianWaitS: median(waited.map((j) => (j.startedAt! - j.createdAt) / 1000)),
    naiveMedianShare: median(naive),
    naiveP90Share: percentile(naive, 90),
    waited: waited.length,
    measured: measuredJobs.length,
    jobs: done.length,
  };
}
