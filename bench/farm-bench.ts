import { performance } from 'node:perf_hooks';
import { startWorker } from '../src/app/worker-part.js';
import type { Actor } from '../src/core/actor.js';
import { isTerminal, type JobEvent } from '../src/core/events.js';
import { FakeComfyUi } from '../test/fakes/comfyui/server.js';
import { benchEnvironment } from './environment.js';
import { summarize } from './stats.js';

/**
 * The farm at full load: N fake ComfyUI servers paced like a GPU (20 sampling steps of 150 ms), one
 * worker process serving all of them through COMFYUI_URLS, and every job submitted at once by many
 * users, so work waits from the first submission until the last prompt goes out. Everything is
 * measured from the fakes' side, on one clock: when each prompt arrives, when it starts and when it
 * finishes. The fakes share the worker's process (and 2 busy cores), so their pacing timers compete
 * with the worker's own work; the figures include that.
 */
const STEPS = 20;
const STEP_MS = 150;

export interface FarmRun {
  backends: number;
  jobs: number;
  users: number;
  completed: number;
  /** Jobs that ended in anything but `completed`. */
  lost: number;
  wallMs: number;
  /** Mean time a fake spent executing a prompt that finished (start -> finished). */
  meanJobMs: number;
  /** jobs x meanJobMs / backends. */
  idealMs: number;
  /** Per backend alive for the whole window: busy time / wall time while work waited. */
  busyShare: { min: number; median: number };
  /** A backend becoming free -> its next prompt arriving, while work waited. */
  gap: { p50: number; p99: number; n: number };
  /** The backend closed once half the jobs had ended, and when (ms after the first submission). */
  killed?: { name: string; atMs: number };
}

interface Prompted {
  arrivedAt: number;
  startedAt?: number;
  endedAt?: number;
  /** False for a prompt cut short (its box was closed): its time is no job time. */
  success?: boolean;
}

/** Records every prompt's arrival, start and end on one fake, on performance.now()'s clock. */
function watch(fake: FakeComfyUi): Prompted[] {
  const prompts: Prompted[] = [];
  const byId = new Map<string, Prompted>();
  fake.events.on('queued', (promptId: string) => {
    const record: Prompted = { arrivedAt: performance.now() };
    prompts.push(record);
    byId.set(promptId, record);
  });
  fake.events.on('execution-start', (promptId: string) => {
    const record = byId.get(promptId);
    if (record) record.startedAt = performance.now();
  });
  fake.events.on('finished', ({ promptId, success }: { promptId: string; success: boolean }) => {
    const record = byId.get(promptId);
    if (!record) return;
    record.endedAt = performance.now();
    record.success = success;
  });
  return prompts;
}

/** Time [start, end] overlaps [from, to]. */
function overlap(start: number, end: number, from: number, to: number): number {
  return Math.max(0, Math.min(end, to) - Math.max(start, from));
}

export async function benchFarm(options: { backends: number; jobs: number; users: number; killHalfWay?: boolean }): Promise<FarmRun> {
  const names = Array.from({ length: options.backends }, (_, i) => `gpu${i + 1}`);
  const fakes = new Map<string, FakeComfyUi>();
  const records = new Map<string, Prompted[]>();
  for (const name of names) {
    const fake = await FakeComfyUi.start({ stepDelayMs: STEP_MS });
    fakes.set(name, fake);
    records.set(name, watch(fake));
  }
  const env = await benchEnvironment({
    COMFYUI_URLS: names.map((name) => `${name}=${fakes.get(name)!.url}`).join(','),
    // Health probes as an operator would tune a farm that must notice a dead box within seconds.
    BACKEND_PROBE_MS: '500',
    BACKEND_DOWN_AFTER: '2',
  });
  const worker = await startWorker(env.runtime);
  const terminal = new Map<string, JobEvent>();
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  let killed: { name: string; at: number } | undefined;
  const kill = () => {
    // Under full load every box is mid-prompt, so the killed one's job must finish elsewhere.
    const name = names[0]!;
    killed = { name, at: performance.now() };
    void fakes.get(name)!.close().catch(() => undefined);
  };
  const unsubscribe = await env.runtime.events.subscribe((event) => {
    if (!isTerminal(event) || terminal.has(event.jobId)) return;
    terminal.set(event.jobId, event);
    if (options.killHalfWay && !killed && terminal.size >= options.jobs / 2) kill();
    if (terminal.size >= options.jobs) allDone();
  });
  try {
    const actors: Actor[] = Array.from({ length: options.users }, (_, i) => ({
      platform: 'web',
      spaceExternalId: 'bench',
      userExternalId: `user-${i}`,
      platformRoles: [],
      isPlatformAdmin: false,
      grantedRole: 'creator',
    }));
    const startedAt = performance.now();
    for (let i = 0; i < options.jobs; i++) {
      // Distinct seeds: no job is answered from a twin's render.
      const submitted = await env.runtime.service.submit(actors[i % options.users]!, { prompt: 'a fox spirit in a bamboo forest', width: 64, height: 64, steps: STEPS, seed: 1_000 + i });
      if (!submitted.ok) throw new Error(`bench submit refused: ${submitted.code}`);
    }
    await done;
    const wallMs = performance.now() - startedAt;

    const all = [...records.values()].flat();
    // Work waits until the last prompt has gone out to a backend.
    const waitEnds = Math.max(...all.map((p) => p.arrivedAt));
    const finished = all.filter((p) => p.startedAt !== undefined && p.success === true);
    const meanJobMs = finished.reduce((sum, p) => sum + (p.endedAt! - p.startedAt!), 0) / finished.length;
    const shares: number[] = [];
    const gaps: number[] = [];
    for (const name of names) {
      const prompts = records.get(name)!;
      if (killed?.name !== name) {
        const busy = prompts.reduce((sum, p) => sum + overlap(p.startedAt ?? p.arrivedAt, p.endedAt ?? waitEnds, startedAt, waitEnds), 0);
        shares.push(busy / (waitEnds - startedAt));
      }
      for (let i = 1; i < prompts.length; i++) {
        const freed = prompts[i - 1]!.endedAt;
        if (freed !== undefined && freed < waitEnds) gaps.push(prompts[i]!.arrivedAt - freed);
      }
    }
    shares.sort((a, b) => a - b);
    const completed = [...terminal.values()].filter((e) => e.type === 'completed').length;
    return {
      backends: options.backends,
      jobs: options.jobs,
      users: options.users,
      completed,
      lost: options.jobs - completed,
      wallMs,
      meanJobMs,
      idealMs: (options.jobs * meanJobMs) / options.backends,
      busyShare: { min: shares[0]!, median: shares[Math.floor(shares.length / 2)]! },
      gap: summarize(gaps),
      killed: killed && { name: killed.name, atMs: killed.at - startedAt },
    };
  } finally {
    await unsubscribe();
    await worker.close().catch(() => undefined);
    await env.close();
    for (const fake of fakes.values()) await fake.close().catch(() => undefined);
  }
}
