import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { GenerationError, JobCancelledError } from '../../src/core/errors.js';
import { HAND_BACK_REASON, type GenerationInput, type ProgressReport } from '../../src/core/generator.js';
import { createComfyUiGenerator, type ComfyUiGenerator } from '../../src/worker/backends/comfyui/comfyui-generator.js';
import { contractInput } from '../contract/generator-contract.js';
import { submitForeignPrompt, WORKFLOWS_DIR } from '../fakes/comfyui/harness.js';
import { FakeComfyUi, type FakeComfyUiOptions } from '../fakes/comfyui/server.js';

/**
 * A job's prompt runs once on the server whatever happens to the worker: a restart mid-run, a
 * restart after the prompt finished, a retry after a failure, and a cancel that must stop nobody
 * else's prompt. The fake behaves like the real 0.3.64 here: a resent prompt_id would run again.
 */
describe('ComfyUI: exactly once per job', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const item of opened.splice(0).reverse()) await item.close();
  });

  async function fakeServer(options: FakeComfyUiOptions = {}): Promise<FakeComfyUi> {
    const fake = await FakeComfyUi.start(options);
    opened.push(fake);
    return fake;
  }

  /** A worker process's generator; several may share one fake, as a restarted worker does. */
  function worker(fake: FakeComfyUi): ComfyUiGenerator {
    const generator = createComfyUiGenerator({ baseUrl: fake.url, workflowsDir: WORKFLOWS_DIR, workflow: 'txt2img', timeoutMs: 20_000, pollIntervalMs: 20 });
    opened.push(generator);
    return generator;
  }

  function job(overrides: Partial<GenerationInput> = {}): GenerationInput {
    return contractInput({ jobId: randomUUID(), attempt: 1, steps: 4, ...overrides });
  }

  const outcome = (run: Promise<unknown>) =>
    run.then(
      () => 'resolved',
      (e: unknown) => e,
    );

  function startedSampling(fake: FakeComfyUi): Promise<unknown> {
    return fake.waitFor<{ value: number }>('step', (s) => s.value >= 1);
  }

  function savedFiles(fake: FakeComfyUi, input: GenerationInput): string[] {
    return fake.files.list().filter((f) => f.includes(input.jobId));
  }

  test('a worker handed the job back mid-run leaves the prompt running; the next worker follows it', async () => {
    const fake = await fakeServer();
    fake.holdSteps();
    const input = job();
    const first = new AbortController();
    const running = startedSampling(fake);
    const handedBack = outcome(worker(fake).generate(input, { signal: first.signal, onProgress: () => undefined }));
    fake.releaseSteps(1);
    await running;
    first.abort(HAND_BACK_REASON);
    expect(await handedBack).toBeInstanceOf(JobCancelledError);
    expect(fake.received.interrupts).toEqual([]);

    const reports: ProgressReport[] = [];
    const resumed = worker(fake).generate(input, { signal: new AbortController().signal, onProgress: (r) => reports.push(r) });
    await fake.waitFor('socket');
    fake.releaseAllSteps();
    expect(await resumed).toHaveLength(1);
    expect(fake.received.prompts).toHaveLength(1);
    expect(savedFiles(fake, input)).toEqual([expect.stringContaining('_00001_.png')]);
    // Both workers used the job's client id, so the second one heard the prompt's messages.
    expect(new Set(fake.received.sockets.map((s) => s.clientId)).size).toBe(1);
    expect(reports.at(-1)).toMatchObject({ step: 4, totalSteps: 4 });
  });

  test('a prompt that finished while no worker watched is collected, not sent again', async () => {
    const fake = await fakeServer();
    fake.holdSteps();
    const input = job();
    const gone = worker(fake);
    const running = startedSampling(fake);
    const lost = outcome(gone.generate(input, { signal: new AbortController().signal, onProgress: () => undefined }));
    fake.releaseSteps(1);
    await running;
    await gone.close();
    expect(await lost).toMatchObject({ code: 'backend_closed' });
    const finished = fake.waitFor('finished');
    fake.releaseAllSteps();
    await finished;

    const files = await worker(fake).generate(input, { signal: new AbortController().signal, onProgress: () => undefined });
    expect(files).toHaveLength(1);
    expect(fake.received.prompts).toHaveLength(1);
    expect(savedFiles(fake, input)).toHaveLength(1);
  });

  test('a failure an earlier attempt reported is not collected again: the retry sends a prompt of its own', async () => {
    const fake = await fakeServer();
    fake.holdSteps();
    const input = job();
    const running = startedSampling(fake);
    const first = outcome(worker(fake).generate(input, { signal: new AbortController().signal, onProgress: () => undefined }));
    fake.releaseSteps(1);
    await running;
    fake.interrupt(undefined); // someone pressed cancel in ComfyUI's own UI
    expect(await first).toMatchObject({ code: 'execution_interrupted', retry: 'backoff' });
    fake.releaseAllSteps();

    expect(await worker(fake).generate({ ...input, attempt: 2 }, { signal: new AbortController().signal, onProgress: () => undefined })).toHaveLength(1);
    const ids = fake.received.prompts.map((p) => p.promptId);
    expect(ids).toHaveLength(2);
    expect(ids[1]).not.toBe(ids[0]);
    expect(fake.received.prompts[1]!.body.extra_data).toEqual({ job_id: input.jobId, attempt: 2 });
  });

  test("the same attempt's failure found after a restart is reported without running the prompt again", async () => {
    const fake = await fakeServer();
    fake.script.failure = { node: 'KSampler', exceptionType: 'RuntimeError', message: 'boom' };
    const input = job();
    expect(await outcome(worker(fake).generate(input, { signal: new AbortController().signal, onProgress: () => undefined }))).toMatchObject({ code: 'execution_failed' });
    const again = await outcome(worker(fake).generate(input, { signal: new AbortController().signal, onProgress: () => undefined }));
    expect(again).toBeInstanceOf(GenerationError);
    expect(again).toMatchObject({ code: 'execution_failed', retry: 'never' });
    expect(fake.received.prompts).toHaveLength(1);
  });

  test('on a build that interrupts whatever runs (0.3.54), cancelling our queued job leaves the running one alone', async () => {
    const fake = await fakeServer({ globalInterrupt: true });
    fake.holdSteps();
    const foreign = await submitForeignPrompt(fake, 'someone-else');
    const controller = new AbortController();
    const queued = new Promise<void>((resolve) => {
      const run = worker(fake).generate(job(), { signal: controller.signal, onProgress: (r) => r.stage === 'queued' && resolve() });
      void outcome(run).then((e) => expect(e).toBeInstanceOf(JobCancelledError));
    });
    await queued;
    const deleted = fake.waitFor<{ method: string; path: string }>('request', (r) => r.method === 'POST' && r.path === '/queue');
    controller.abort();
    await deleted;
    await fake.waitFor<{ method: string; path: string }>('request', (r) => r.method === 'GET' && r.path === '/queue');
    expect(fake.pending).toEqual([]);
    expect(fake.received.interrupts).toEqual([]);
    expect(fake.running?.[1]).toBe(foreign);
    fake.releaseAllSteps();
  });

  test('on that build, cancelling our running job interrupts it, and a job queued behind it still finishes', async () => {
    const fake = await fakeServer({ globalInterrupt: true });
    fake.holdSteps();
    const ours = job();
    const behind = job();
    const controller = new AbortController();
    const running = startedSampling(fake);
    const cancelled = outcome(worker(fake).generate(ours, { signal: controller.signal, onProgress: () => undefined }));
    fake.releaseSteps(1);
    await running;
    let queuedBehind!: () => void;
    const isQueued = new Promise<void>((resolve) => (queuedBehind = resolve));
    const next = worker(fake).generate(behind, { signal: new AbortController().signal, onProgress: (r) => r.stage === 'queued' && queuedBehind() });
    await isQueued;
    controller.abort();
    expect(await cancelled).toBeInstanceOf(JobCancelledError);
    fake.releaseAllSteps();
    expect(await next).toHaveLength(1);
    expect(fake.received.interrupts).toEqual([{ promptId: fake.received.prompts[0]!.promptId, applied: true }]);
    expect(savedFiles(fake, behind)).toHaveLength(1);
  });
});
