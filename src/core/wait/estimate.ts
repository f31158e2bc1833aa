/**
 * An honest wait: when a queued job should start and finish, from how long the work ahead of it
 * takes on the backends that can run it. Pure: the caller brings the line, the running work, the
 * capable backends and the measured durations (durations.ts); nothing here reads a clock or a store.
 */

/** Expected start and finish of a queued job, ms since 1970. */
export interface Eta {
  startsAt: number;
  finishesAt: number;
  /** Some duration it rests on is the default, not a measurement: shown as "about". */
  approximate: boolean;
}

/** What decides how long a job keeps a backend. */
export interface WorkShape {
  kind: string;
  /** The offered model's id; '' (jobs older than models) runs anywhere. */
  model: string;
  steps: number;
  count: number;
}

/** One backend that takes work: one prompt at a time. */
export interface Lane {
  name: string;
  /** The model ids it runs; absent when unknown, and then it counts as running every model. */
  models?: readonly string[];
}

export interface RunningWork extends WorkShape {
  jobId: string;
  startedAt: number;
  /** The backend it runs on, when the record names one of the lanes. */
  backend?: string;
  /** Let in ahead of its box: it starts when a job there ends (the farm prepares it meanwhile). */
  ready?: boolean;
}

export interface QueuedWork extends WorkShape {
  jobId: string;
}

export interface Expected {
  ms: number;
  measured: boolean;
}

export interface WaitLine {
  now: number;
  lanes: readonly Lane[];
  running: readonly RunningWork[];
  /** The queued jobs in the queue's own order (fair priority, then age). */
  queued: readonly QueuedWork[];
  expected(work: WorkShape): Expected;
}

/**
 * A running job past its expected time is assumed to have this share of it left: it has shown it is
 * slow, but it will end, and the jobs behind it should not be told they already started.
 */
const OVERRUN_SHARE_LEFT = 0.1;

interface LaneClock {
  lane: Lane;
  freeAt: number;
  approximate: boolean;
  running: boolean;
}

function canRun(lane: Lane, model: string): boolean {
  return model === '' || lane.models === undefined || lane.models.includes(model);
}

/** The capable lane free soonest (the first listed on a tie), as a backend taking the next job it can run would be. */
function soonestFree(clocks: readonly LaneClock[], model: string): LaneClock | undefined {
  let best: LaneClock | undefined;
  for (const clock of clocks) if (canRun(clock.lane, model) && (!best || clock.freeAt < best.freeAt)) best = clock;
  return best;
}

/**
 * Every queued job's expected start and finish, by job id. Each job in line order takes the capable
 * backend that frees up first, behind the work that backend already has (running jobs by what they
 * have left). A job no listed backend can run gets no estimate.
 */
export function estimateWaits(line: WaitLine): Map<string, Eta> {
  const clocks: LaneClock[] = line.lanes.map((lane) => ({ lane, freeAt: line.now, approximate: false, running: false }));
  // Jobs on their boxes first, then the ones let in ahead behind them.
  for (const job of line.running.filter((j) => !j.ready)) {
    const named = clocks.find((c) => c.lane.name === job.backend && !c.running);
    const clock = named ?? soonestFree(clocks.filter((c) => !c.running), job.model);
    if (!clock) continue;
    const expected = line.expected(job);
    const left = Math.max(job.startedAt + expected.ms - line.now, expected.ms * OVERRUN_SHARE_LEFT);
    clock.freeAt = line.now + left;
    clock.approximate = !expected.measured;
    clock.running = true;
  }
  for (const job of line.running.filter((j) => j.ready)) {
    const own = clocks.filter((c) => c.lane.name === job.backend);
    const clock = own.length > 0 ? own.reduce((a, b) => (b.freeAt < a.freeAt ? b : a)) : soonestFree(clocks, job.model);
    if (!clock) continue;
    const expected = line.expected(job);
    clock.freeAt += expected.ms;
    clock.approximate ||= !expected.measured;
  }
  const etas = new Map<string, Eta>();
  for (const job of line.queued) {
    const clock = soonestFree(clocks, job.model);
    if (!clock) continue;
    const expected = line.expected(job);
    const startsAt = clock.freeAt;
    clock.freeAt = startsAt + expected.ms;
    clock.approximate ||= !expected.measured;
    etas.set(job.jobId, { startsAt: Math.round(startsAt), finishesAt: Math.round(clock.freeAt), approximate: clock.approximate });
  }
  return etas;
}

/** Where the estimate of one job (or of the head of the line) comes from: wired by the app. */
export interface JobWaits {
  /** The job's estimate now, or undefined (not queued, nothing can run it, or the estimate failed). */
  estimate(jobId: string): Promise<Eta | undefined>;
}
