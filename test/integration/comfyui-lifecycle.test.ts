import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { GenerationError, JobCancelledError } from '../../src/core/errors.js';
import type { PreviewImage, ProgressReport } from '../../src/core/generator.js';
import { clientIdFor } from '../../src/worker/backends/comfyui/prompt-ids.js';
import { contractInput } from '../contract/generator-contract.js';
import { harnessPerTest, submitForeignPrompt } from '../fakes/comfyui/harness.js';

/** Cancellation, time limits, a busy server, lost sockets and preview frames. */
describe('ComfyUI generator lifecycle', () => {
  const setup = harnessPerTest();

  /** Progress callbacks plus a promise for the first report that passes `until`. */
  function watch(until: (r: ProgressReport) => boolean) {
    const reports: ProgressReport[] = [];
    let reached!: () => void;
    const seen = new Promise<void>((resolve) => (reached = resolve));
    const onProgress = (r: ProgressReport) => {
      reports.push(r);
      if (until(r)) reached();
    };
    return { reports, seen, onProgress };
  }

  /** A six-step job running on the fake, held after its second step was reported. */
  async function sixStepsRunningAtStepTwo() {
    const { fake, generator } = await setup();
    fake.holdSteps();
    const progress = watch((r) => r.stage === 'sampling' && r.step >= 2);
    const run = generator.generate(contractInput({ steps: 6 }), { signal: new AbortController().signal, onProgress: progress.onProgress });
    fake.releaseSteps(2);
    await progress.seen;
    return { fake, run, progress };
  }

  async function caught(run: Promise<unknown>): Promise<unknown> {
    return run.then(
      () => undefined,
      (e: unknown) => e,
    );
  }

  test('abort mid-run interrupts our prompt by id and ends with JobCancelledError', async () => {
    const { fake, generator } = await setup();
    fake.holdSteps();
    const controller = new AbortController();
    const progress = watch((r) => r.stage === 'sampling' && r.step >= 2);
    const run = generator.generate(contractInput({ steps: 10 }), { signal: controller.signal, onProgress: progress.onProgress });
    fake.releaseSteps(2);
    await progress.seen;
    const finished = fake.waitFor<{ promptId: string; success: boolean }>('finished');
    controller.abort();
    expect(await caught(run)).toBeInstanceOf(JobCancelledError);
    const promptId = fake.received.prompts[0]!.promptId;
    expect(fake.received.interrupts).toEqual([{ promptId, applied: true }]);
    expect(fake.received.queueDeletes).toEqual([]);
    expect(await finished).toEqual({ promptId, success: false });
    const status = fake.history.get(promptId!)!.status as { messages: Array<[string, unknown]> };
    expect(status.messages.map(([event]) => event)).toContain('execution_interrupted');
  });

  test('a busy server queues us (stage "queued"); abort before start deletes our queue entry', async () => {
    const { fake, generator } = await setup();
    fake.holdSteps();
    const foreign = await submitForeignPrompt(fake, 'someone-else');
    const controller = new AbortController();
    const progress = watch((r) => r.stage === 'queued');
    const run = generator.generate(contractInput(), { signal: controller.signal, onProgress: progress.onProgress });
    await progress.seen;
    const ours = fake.received.prompts[1]!.promptId!;
    expect(fake.pending.map((item) => item[1])).toEqual([ours]);
    controller.abort();
    expect(await caught(run)).toBeInstanceOf(JobCancelledError);
    expect(fake.received.queueDeletes).toEqual([ours]);
    expect(fake.pending).toEqual([]);
    // No interrupt at all: /queue said ours was not running (before 0.3.57 it would stop the foreign one).
    expect(fake.received.interrupts).toEqual([]);
    expect(fake.running?.[1]).toBe(foreign);
    fake.releaseAllSteps();
  });

  test('a queued job runs once the server frees up', async () => {
    const { fake, generator } = await setup();
    fake.holdSteps();
    await submitForeignPrompt(fake, undefined);
    const progress = watch((r) => r.stage === 'queued');
    const run = generator.generate(contractInput({ steps: 3 }), { signal: new AbortController().signal, onProgress: progress.onProgress });
    await progress.seen;
    fake.releaseAllSteps();
    expect(await run).toHaveLength(1);
    expect(progress.reports.at(-1)).toMatchObject({ step: 3, totalSteps: 3 });
  });

  test('running past timeoutMs interrupts the prompt and is a retryable timeout', async () => {
    const { fake, generator } = await setup({}, { timeoutMs: 400 });
    fake.holdSteps();
    const error = await caught(generator.generate(contractInput(), { signal: new AbortController().signal, onProgress: () => undefined }));
    expect(error).toBeInstanceOf(GenerationError);
    expect(error).toMatchObject({ code: 'backend_timeout', retry: 'backoff' });
    expect(fake.received.interrupts).toEqual([{ promptId: fake.received.prompts[0]!.promptId, applied: true }]);
  });

  test('waiting in the queue past timeoutMs removes our entry and asks to back off', async () => {
    const { fake, generator } = await setup({}, { timeoutMs: 400 });
    fake.holdSteps();
    await submitForeignPrompt(fake, 'someone-else');
    const error = await caught(generator.generate(contractInput(), { signal: new AbortController().signal, onProgress: () => undefined }));
    expect(error).toMatchObject({ code: 'backend_busy', retry: 'rate_limit' });
    expect(fake.received.queueDeletes).toEqual([fake.received.prompts[1]!.promptId]);
    expect(fake.pending).toEqual([]);
    fake.releaseAllSteps();
  });

  test('a socket lost mid-run with no way back completes by polling /history', async () => {
    const { fake, run, progress } = await sixStepsRunningAtStepTwo();
    fake.script.rejectWebSockets = true;
    const polled = fake.waitFor<{ path: string }>('request', (r) => r.path.startsWith('/history/'));
    fake.disconnectSockets();
    await polled;
    fake.releaseAllSteps();
    const files = await run;
    expect(files).toHaveLength(1);
    expect((await sharp(files[0]!.data).metadata()).width).toBe(256);
    expect(fake.received.sockets).toHaveLength(1);
    expect(progress.reports.at(-1)).toMatchObject({ step: 6, totalSteps: 6 });
  });

  test('a socket lost mid-run reconnects with the same client id and progress resumes', async () => {
    const { fake, run, progress } = await sixStepsRunningAtStepTwo();
    const reconnected = fake.waitFor<string>('socket');
    fake.disconnectSockets();
    await reconnected;
    fake.releaseAllSteps();
    expect(await run).toHaveLength(1);
    const ids = fake.received.sockets.map((s) => s.clientId);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    expect(progress.reports.filter((r) => r.stage === 'sampling').map((r) => r.step)).toContain(5);
  });

  test('type-4 preview frames (after our feature_flags) of our prompt reach the job, and do not disturb the run', async () => {
    const previews: PreviewImage[] = [];
    const { fake, generator } = await setup({ previews: true });
    const types: number[] = [];
    fake.events.on('preview', (p: { type: number }) => types.push(p.type));
    const files = await generator.generate(contractInput({ steps: 4 }), { signal: new AbortController().signal, onProgress: () => undefined, onPreview: (p) => previews.push(p) });
    expect(files).toHaveLength(1);
    expect(types).toEqual([4, 4, 4, 4]);
    expect(previews).toHaveLength(4);
    for (const preview of previews) {
      expect(preview).toMatchObject({ kind: 'encoded', mime: 'image/jpeg' });
      expect((await sharp(preview.data).metadata()).format).toBe('jpeg');
    }
  });

  test('type-1 preview frames (no feature flags) are taken too', async () => {
    const previews: PreviewImage[] = [];
    const { fake, generator } = await setup({ previews: true }, { previewMetadata: false });
    const types: number[] = [];
    fake.events.on('preview', (p: { type: number }) => types.push(p.type));
    expect(await generator.generate(contractInput({ steps: 3 }), { signal: new AbortController().signal, onProgress: () => undefined, onPreview: (p) => previews.push(p) })).toHaveLength(1);
    expect(fake.received.sockets[0]!.featureFlags).toBeUndefined();
    expect(types).toEqual([1, 1, 1]);
    expect(previews).toHaveLength(3);
    expect((await sharp(previews[0]!.data).metadata()).format).toBe('jpeg');
  });

  test('type-4 frames of another prompt on our client id (an earlier attempt\'s) are not this job\'s previews', async () => {
    const { fake, generator } = await setup({ previews: true });
    const input = contractInput({ steps: 4 });
    fake.holdSteps();
    // Queued first on our job's client id: its frames come to our socket while ours waits behind it.
    const foreign = await submitForeignPrompt(fake, clientIdFor(input.jobId));
    const frames: string[] = [];
    fake.events.on('step', (s: { promptId: string }) => frames.push(s.promptId));
    const previews: PreviewImage[] = [];
    // Released once our prompt is sent and known to the run, so the foreign frames meet the prompt-id check.
    const sent = watch((r) => r.stage === 'queued');
    const run = generator.generate(input, { signal: new AbortController().signal, onProgress: sent.onProgress, onPreview: (p) => previews.push(p) });
    await sent.seen;
    fake.releaseAllSteps();
    expect(await run).toHaveLength(1);
    expect(frames.filter((id) => id === foreign)).toHaveLength(3);
    expect(previews).toHaveLength(4);
  });

  test('close() ends runs in flight with a retryable error', async () => {
    const { fake, generator } = await setup();
    fake.holdSteps();
    const progress = watch((r) => r.stage === 'sampling');
    const run = generator.generate(contractInput(), { signal: new AbortController().signal, onProgress: progress.onProgress });
    await progress.seen;
    await generator.close();
    expect(await caught(run)).toMatchObject({ code: 'backend_closed', retry: 'backoff' });
    fake.releaseAllSteps();
  });
});
