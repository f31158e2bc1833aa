import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { FileMediaStore } from '../src/worker/media/file-media-store.js';
import { processOutput } from '../src/worker/media/process-output.js';
import { createStubGenerator } from '../test/support/stub-generator.js';
import { summarize } from './stats.js';

/**
 * What this machine allows before any orchestration: the fixed costs every job must pay on the
 * spine, measured in the same run. They bound the spine's figures from below (latency) and above
 * (throughput), whatever the code around them does.
 */
export interface SpineFloors {
  /** Only the media step (WebP + thumbnail encodes of the stub's output), as many in flight as the worker has slots. */
  mediaJobsPerSecond: number;
  /** CPU milliseconds that media step costs per job, all threads counted. */
  mediaCpuMsPerJob: number;
  /** One fsynced, renamed file write, one at a time. */
  durableWrite: { p50: number; p99: number };
  /** One single-row INSERT committed (fsynced WAL), one at a time. */
  postgresCommit: { p50: number; p99: number };
}

async function stubOutput(): Promise<Buffer> {
  const [file] = await (await createStubGenerator()).generate(
    { jobId: 'floor', kind: 'image', prompt: 'floor', negativePrompt: '', width: 64, height: 64, seed: 1, steps: 1, count: 1 },
    { signal: new AbortController().signal, onProgress: () => undefined },
  );
  return file!.data;
}

async function mediaCeiling(inFlight: number, seconds: number): Promise<{ perSecond: number; cpuMs: number }> {
  const data = await stubOutput();
  for (let i = 0; i < 20; i++) await processOutput({ kind: 'image', mime: 'image/png', data });
  let done = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await processOutput({ kind: 'image', mime: 'image/png', data });
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: done / elapsed, cpuMs: (used.user + used.system) / 1000 / done };
}

async function durableWrites(samples: number): Promise<{ p50: number; p99: number }> {
  const root = await mkdtemp(join(tmpdir(), 'ap-floor-'));
  try {
    const store = new FileMediaStore(root);
    const data = await stubOutput();
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await store.put(`floor/day/file-${i}.png`, data);
      times.push(performance.now() - started);
    }
    return summarize(times);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function postgresCommits(databaseUrl: string, samples: number): Promise<{ p50: number; p99: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Not a temporary table: those write no WAL, and the commit's WAL flush is what is measured.
    await client.query('CREATE TABLE IF NOT EXISTS bench_floor_commits (id serial PRIMARY KEY, note text)');
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await client.query({ name: 'floor_insert', text: 'INSERT INTO bench_floor_commits (note) VALUES ($1)', values: ['x'] });
      times.push(performance.now() - started);
    }
    await client.query('DROP TABLE bench_floor_commits');
    return summarize(times);
  } finally {
    await client.end();
  }
}

export async function measureFloors(options: { databaseUrl: string; inFlight: number; seconds: number; samples: number }): Promise<SpineFloors> {
  const media = await mediaCeiling(options.inFlight, options.seconds);
  return {
    mediaJobsPerSecond: media.perSecond,
    mediaCpuMsPerJob: media.cpuMs,
    durableWrite: await durableWrites(options.samples),
    postgresCommit: await postgresCommits(options.databaseUrl, options.samples),
  };
}
