import { performance } from 'node:perf_hooks';
import { startWorker } from '../src/app/worker-part.js';
import type { Actor } from '../src/core/actor.js';
import { isTerminal } from '../src/core/events.js';
import { benchEnvironment } from './environment.js';
import { summarize } from './stats.js';

const WARMUP = 5;

export interface ReuseFigures {
  reused: { p50: number; p99: number; n: number };
  fresh: { p50: number; p99: number; n: number };
  /** A new request's 202 (recorded and queued, nothing rendered): the floor any answer pays. */
  accepted: { p50: number; p99: number; n: number };
}

/**
 * Time to answer a request whose recipe finished before (submit -> the completed job in hand,
 * through the core, Postgres and Redis), vs a fresh render of the same size on the built-in
 * renderer (submit -> completed event), in the same run on the same services.
 */
export async function benchReuse(samples = Number(process.env.BENCH_REUSE_SAMPLES ?? 200), renders = Number(process.env.BENCH_REUSE_RENDERS ?? 20)): Promise<ReuseFigures> {
  const env = await benchEnvironment();
  const worker = await startWorker(env.runtime);
  const actor: Actor = { platform: 'web', spaceExternalId: 'bench', userExternalId: 'bench', platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' };
  const waiters = new Map<string, () => void>();
  await env.runtime.events.subscribe((event) => {
    if (isTerminal(event)) waiters.get(event.jobId)?.();
  });
  const render = async (seed: number) => {
    const started = performance.now();
    let done: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (done = resolve));
    const submitted = await env.runtime.service.submit(actor, { prompt: 'a shrine maiden under a red torii', width: 512, height: 768, seed });
    if (!submitted.ok) throw new Error(`bench submit refused: ${submitted.code}`);
    waiters.set(submitted.value.job.id, done);
    if (submitted.value.job.status !== 'completed') await ended;
    waiters.delete(submitted.value.job.id);
    return { ms: performance.now() - started, reused: submitted.value.job.reusedFrom != null };
  };
  try {
    const fresh: number[] = [];
    for (let i = 0; i < WARMUP + renders; i++) {
      const result = await render(10_000 + i);
      if (result.reused) throw new Error('a fresh seed was answered from a twin');
      if (i >= WARMUP) fresh.push(result.ms);
    }
    const reused: number[] = [];
    for (let i = 0; i < WARMUP + samples; i++) {
      // Seeds of the renders above: identical recipes, within the window.
      const result = await render(10_000 + (i % (WARMUP + renders)));
      if (!result.reused) throw new Error('an identical recipe was rendered again');
      if (i >= WARMUP) reused.push(result.ms);
    }
    // No worker from here on: each new request stays queued, so this is the accept path alone.
    await worker.close();
    const accepted: number[] = [];
    for (let i = 0; i < WARMUP + samples; i++) {
      const started = performance.now();
      const submitted = await env.runtime.service.submit(actor, { prompt: 'a shrine maiden under a red torii', width: 512, height: 768, seed: 50_000 + i });
      if (!submitted.ok) throw new Error(`bench submit refused: ${submitted.code}`);
      if (i >= WARMUP) accepted.push(performance.now() - started);
    }
    return { reused: summarize(reused), fresh: summarize(fresh), accepted: summarize(accepted) };
  } finally {
    await worker.close().catch(() => undefined);
    await env.close();
  }
}
