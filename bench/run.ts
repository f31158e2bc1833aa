import type { FarmRun } from './farm-bench.js';
import { ms, ratio, type ChatFigures } from './stats.js';

/**
 * `npm run bench`: every benchmark, printed as figures and as ratios to a baseline measured in the
 * same run on the same services. Never part of `npm test`; tests assert no timings.
 * Pick some with: npm run bench -- spine policy reuse discord slack search media wait farm
 */
const wanted = new Set(process.argv.slice(2));
const selected = (name: string) => wanted.size === 0 || wanted.has(name);

function line(label: string, value: string, baseline: string, rel: string, target = ''): void {
  process.stdout.write(`${label.padEnd(44)} ${value.padStart(14)}   baseline ${baseline.padStart(14)}   ratio ${rel.padStart(7)}   ${target}\n`);
}

/** A latency row: milliseconds beside the baseline and their ratio. */
function latency(label: string, value: number, baseline: number, target = ''): void {
  line(label, ms(value), ms(baseline), ratio(value, baseline), target);
}

/** A chat adapter's rows: the first answer (target 50 ms at p99, as the platforms allow 3 s) and the "queued" message. */
function chat(figures: ChatFigures, first: string, queued: string): void {
  latency(`${first} p50`, figures.first.p50, figures.baseline.p50);
  latency(`${first} p99`, figures.first.p99, figures.baseline.p99, 'target <= 50 ms');
  latency(`${queued} p50`, figures.queued.p50, figures.baseline.p50);
  latency(`${queued} p99`, figures.queued.p99, figures.baseline.p99);
  process.stdout.write(`samples: ${figures.samples}\n\n`);
}

async function main(): Promise<void> {
  process.stdout.write(`anime-production bench — node ${process.version}, ${new Date().toISOString()}\n\n`);
  if (selected('spine')) {
    process.stdout.write('## Spine: request -> result event (stub generator), vs bare BullMQ add+process\n');
    const { benchSpine } = await import('./spine-bench.js');
    const s = await benchSpine();
    latency('overhead p50 (one at a time)', s.overhead.p50, s.baselineOverhead.p50, 'target <= 5 ms');
    latency('overhead p99 (one at a time)', s.overhead.p99, s.baselineOverhead.p99, 'target <= 25 ms');
    line('throughput (32 submitters, 16 slots)', `${s.throughput.toFixed(0)} jobs/s`, `${s.baselineThroughput.toFixed(0)} jobs/s`, ratio(s.throughput, s.baselineThroughput), 'target >= 1000 jobs/s');
    line('  same, worker in its own process', `${s.splitThroughput.toFixed(0)} jobs/s`, `${s.baselineThroughput.toFixed(0)} jobs/s`, ratio(s.splitThroughput, s.baselineThroughput), 'target >= 1000 jobs/s');
    const f = s.floors;
    process.stdout.write('floors on this machine (fixed costs every job pays; same run):\n');
    process.stdout.write(`  media step alone (WebP + thumbnail of the stub's 8x8 PNG, 16 in flight): ${f.mediaJobsPerSecond.toFixed(0)} jobs/s, ${f.mediaCpuMsPerJob.toFixed(2)} CPU ms a job\n`);
    process.stdout.write(`  one fsynced file write: p50 ${ms(f.durableWrite.p50)}, p99 ${ms(f.durableWrite.p99)} (a job writes 3, overlapped)\n`);
    process.stdout.write(`  one Postgres commit: p50 ${ms(f.postgresCommit.p50)}, p99 ${ms(f.postgresCommit.p99)} (a job commits 3 in sequence)\n`);
    process.stdout.write(`samples: ${s.overhead.n} latency, throughput over ${process.env.BENCH_THROUGHPUT_SECONDS ?? 20} s each\n\n`);
  }
  if (selected('policy')) {
    process.stdout.write('## Policy: role + permission + content check + Redis limits per request, vs one Redis PING\n');
    const { benchPolicy } = await import('./policy-bench.js');
    const p = await benchPolicy();
    latency('decision p50', p.decision.p50, p.baseline.p50, 'target <= 1 ms');
    latency('decision p99', p.decision.p99, p.baseline.p99);
    process.stdout.write(`samples: ${p.decision.n}\n\n`);
  }
  if (selected('search')) {
    process.stdout.write('## Search and gallery at 200,000 assets, vs a primary-key lookup of one job on the same database\n');
    const { benchSearch } = await import('./search-bench.js');
    const g = await benchSearch();
    latency('newest-50 search p50', g.searchP50, g.baselineP50);
    latency('newest-50 search p95', g.searchP95, g.baselineP50, 'target <= 20 ms');
    latency('gallery page server time p50', g.galleryP50, g.baselineP50);
    latency('gallery page server time p95', g.galleryP95, g.baselineP50, 'target <= 50 ms');
    process.stdout.write(`rows: ${g.rows}\n\n`);
  }
  if (selected('reuse')) {
    process.stdout.write('## Reuse: an identical recipe answered from stored files (submit -> completed job), vs a fresh 512x768 built-in render\n');
    const { benchReuse } = await import('./reuse-bench.js');
    const r = await benchReuse();
    latency('reused answer p50', r.reused.p50, r.fresh.p50);
    latency('reused answer p99', r.reused.p99, r.fresh.p99);
    latency('  vs a new request accepted (queued) p50', r.reused.p50, r.accepted.p50);
    process.stdout.write(`fresh render p50 ${ms(r.fresh.p50)}, p99 ${ms(r.fresh.p99)}; accepted p50 ${ms(r.accepted.p50)}, p99 ${ms(r.accepted.p99)}; samples: ${r.reused.n} reused, ${r.fresh.n} renders\n\n`);
  }
  if (selected('discord')) {
    process.stdout.write('## Discord: interaction dispatched -> defer / "queued" edit, real discord.js vs the fake; baseline: one REST round trip to the fake\n');
    const { benchDiscord } = await import('./discord-bench.js');
    chat(await benchDiscord(), 'defer', '"queued" edit');
  }
  if (selected('media')) {
    process.stdout.write('## Media step on a 1024x1024 PNG from the built-in renderer: WebP + thumbnail per output, vs sharp\'s bare WebP encode\n');
    const { benchMedia } = await import('./media-bench.js');
    const m = await benchMedia();
    latency('WebP + thumbnail p50', m.step.p50, m.bareWebp.p50, 'target <= 150 ms');
    latency('WebP + thumbnail p99', m.step.p99, m.bareWebp.p99);
    process.stdout.write(`samples: ${m.samples} outputs one at a time, PNG ${(m.pngBytes / 1024).toFixed(0)} KiB\n\n`);
  }
  if (selected('wait')) {
    process.stdout.write('## Wait estimate: simulated farm (4 backends, one model on one only, 40 users, 400 jobs, virtual clock)\n');
    const { benchWaits } = await import('./wait-bench.js');
    const w = await benchWaits();
    const share = (value: number) => `${(value * 100).toFixed(1)} %`;
    process.stdout.write(`estimated start error, share of the real wait: median ${share(w.medianShare)}, p90 ${share(w.p90Share)}   (${w.waited} of ${w.jobs} jobs waited >= 1 s)\n`);
    process.stdout.write(`  estimates on measured times only:          median ${share(w.measuredMedianShare)}, p90 ${share(w.measuredP90Share)}   (${w.measured} jobs)\n`);
    process.stdout.write(`  baseline, places ahead x median job / backends: median ${share(w.naiveMedianShare)}, p90 ${share(w.naiveP90Share)}   ratio of medians ${(w.medianShare / w.naiveMedianShare).toFixed(2)}x\n`);
    process.stdout.write(`  median absolute error ${w.medianErrorS.toFixed(1)} s on a median real wait of ${w.medianWaitS.toFixed(1)} s\n`);
    const fifo = await benchWaits({ fair: false });
    process.stdout.write(`  same farm, first-come line (no later job can jump ahead): median ${share(fifo.medianShare)}, p90 ${share(fifo.p90Share)}\n\n`);
  }
  if (selected('farm')) {
    const { benchFarm } = await import('./farm-bench.js');
    const jobs = Number(process.env.BENCH_FARM_JOBS ?? 400);
    const users = Number(process.env.BENCH_FARM_USERS ?? 40);
    const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
    const share = (value: number) => `${(value * 100).toFixed(2)} %`;
    const farm = (run: FarmRun, heading: string) => {
      process.stdout.write(`## ${heading}\n`);
      line('busy share while work waits, worst backend', share(run.busyShare.min), '100.00 %', `${run.busyShare.min.toFixed(3)}x`, 'target >= 99 %');
      line('  median backend', share(run.busyShare.median), '100.00 %', `${run.busyShare.median.toFixed(3)}x`);
      line('free -> next prompt p50', ms(run.gap.p50), 'ideal 0 ms', '-', 'target <= 20 ms');
      line('free -> next prompt p99', ms(run.gap.p99), 'ideal 0 ms', '-', 'target <= 100 ms');
      // Three decimals: the target sits at 1.02, where two would round a miss into a pass.
      line('whole run vs ideal (jobs x job / backends)', seconds(run.wallMs), seconds(run.idealMs), `${(run.wallMs / run.idealMs).toFixed(3)}x`, 'target <= 1.02');
      process.stdout.write(`jobs ${run.completed} of ${run.jobs} completed, ${run.lost} lost; mean job ${ms(run.meanJobMs)}; ${run.gap.n} gaps\n`);
      // Jobs are whole: when backends do not divide jobs, the last round runs part-full whatever the dispatcher does.
      const rounds = Math.ceil(run.jobs / run.backends);
      if (rounds * run.backends !== run.jobs) process.stdout.write(`floor from whole jobs: ${rounds} rounds x mean job = ${seconds(rounds * run.meanJobMs)}, ratio ${((rounds * run.meanJobMs) / run.idealMs).toFixed(3)}x to the ideal; the run ${(run.wallMs / (rounds * run.meanJobMs)).toFixed(3)}x that floor\n`);
      if (run.killed) {
        // The capacity left: all backends until the kill, one fewer after it.
        const leftIdeal = (run.jobs * run.meanJobMs - run.killed.atMs) / (run.backends - 1);
        process.stdout.write(`${run.killed.name} killed at ${seconds(run.killed.atMs)}; ideal on the capacity left ${seconds(leftIdeal)}, ratio ${(run.wallMs / leftIdeal).toFixed(3)}x\n`);
      }
      process.stdout.write('\n');
    };
    const pacing = `${jobs} jobs from ${users} users, 20 steps of 150 ms`;
    farm(await benchFarm({ backends: 8, jobs, users }), `Farm: 8 fake ComfyUI backends, ${pacing}, one worker process`);
    farm(await benchFarm({ backends: 8, jobs, users, killHalfWay: true }), `Farm: the same, one backend killed once half the jobs have ended`);
    farm(await benchFarm({ backends: 32, jobs, users }), `Farm: 32 fake backends, ${pacing}, one worker process`);
  }
  if (selected('slack')) {
    process.stdout.write('## Slack: signed /generate -> ack / "queued" message, real Bolt vs the fake; baseline: a signed url_verification\n');
    const { benchSlack } = await import('./slack-bench.js');
    chat(await benchSlack(), 'ack', '"queued" message');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
