import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { JobEvent } from '../../src/core/events.js';
import { assets, jobs } from '../../src/db/schema.js';
import { createComfyUiGenerator } from '../../src/worker/backends/comfyui/comfyui-generator.js';
import { promptIdFor } from '../../src/worker/backends/comfyui/prompt-ids.js';
import {
  comfyGet,
  historyOf,
  writtenHistoryOf,
  savedNames,
  serverHasNode,
  SLEEP_NODE,
  startConformanceStack,
  withSlash,
  writeConformanceTemplates,
  type ConformanceStack,
} from '../support/comfyui-conformance.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/**
 * The project's ComfyUI path (web -> queue -> worker -> ComfyUI client) against a real ComfyUI:
 *   COMFYUI_TEST_URL=http://gpu:8188 npm test -- conformance
 * Model-free graphs only, so any server can be checked. Tests that need a slow node with progress
 * use ComfyUI's test pack (TestSleep) and are skipped on servers without it. Each test uses its own
 * jobs (so its own prompt ids and file prefixes); the server's queue is shared, so no test assumes
 * it is empty.
 */
const SERVER = process.env.COMFYUI_TEST_URL;
if (!SERVER) console.log('comfyui conformance: skipped (set COMFYUI_TEST_URL=http://host:8188 to check a real ComfyUI server)');
const HAS_SLEEP = SERVER ? await serverHasNode(SERVER, SLEEP_NODE) : false;
if (SERVER && !HAS_SLEEP) console.log(`comfyui conformance: ${SERVER} has no ${SLEEP_NODE} node (ComfyUI's tests/execution/testing_nodes); the progress, cancel, socket and restart checks are skipped`);

/** The real-server kit's own graphs, when it is beside the repo (CI): they must drive as exported. */
const KIT_WORKFLOWS = fileURLToPath(new URL(`${process.env.COMFYUI_REAL_KIT ?? '../../../shared/comfyui-real'}/workflows/`, new URL('.', import.meta.url)));
const HAS_KIT = SERVER !== undefined && HAS_SLEEP && existsSync(join(KIT_WORKFLOWS, 'still.json'));

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const STILL = { prompt: 'conformance still, "quoted" } {', width: 96, height: 64, steps: 1, seed: 42 };

describe.skipIf(!SERVER)('ComfyUI conformance on a real server', () => {
  const url = SERVER!;
  let templates: Awaited<ReturnType<typeof writeConformanceTemplates>>;
  const open: Array<{ close(): Promise<void> }> = [];
  const blockers: string[] = [];

  beforeAll(async () => {
    templates = await writeConformanceTemplates();
  });
  afterAll(async () => {
    await templates.cleanup();
  });
  afterEach(async () => {
    for (const id of blockers.splice(0)) await post('interrupt', { prompt_id: id }).then(() => post('queue', { delete: [id] }));
    for (const item of open.splice(0).reverse()) await item.close();
  });

  async function service(template: string, options: Parameters<typeof startConformanceStack>[3] = {}): Promise<ConformanceStack> {
    const conformance = await startConformanceStack(options.env?.COMFYUI_URL ?? url, templates.dir, template, options);
    open.push(conformance.stack);
    return conformance;
  }

  async function post(path: string, body: unknown): Promise<Response> {
    const response = await fetch(new URL(path, withSlash(url)), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.body?.cancel();
    return response;
  }

  /** Someone else's slow prompt, straight to the server, so ours has to wait behind it. */
  async function blocker(seconds: number): Promise<string> {
    const graph = JSON.parse(await readFile(join(templates.dir, 'sleepy.json'), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;
    graph['3']!.inputs.seconds = seconds;
    graph['4']!.inputs.filename_prefix = `conformance-blocker-${randomUUID()}`;
    const promptId = randomUUID();
    blockers.push(promptId);
    const response = await fetch(new URL('prompt', withSlash(url)), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: graph, client_id: `someone-else-${randomUUID()}`, prompt_id: promptId }),
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    return promptId;
  }

  const progressOf = (events: JobEvent[]) => events.filter((e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress');

  async function expectCompletedOnce(c: ConformanceStack, jobId: string, images: number): Promise<void> {
    const end = await c.events.end(jobId);
    expect(end).toMatchObject({ type: 'completed' });
    const [job] = await c.stack.database.db.select().from(jobs).where(eq(jobs.id, jobId));
    expect(job!.status).toBe('completed');
    const originals = (await c.stack.database.db.select().from(assets).where(eq(assets.jobId, jobId))).filter((a) => a.variant === 'original');
    expect(originals).toHaveLength(images);
    // The server ran the job's prompt once: a second run would have numbered its files on from _0000{images + 1}_.
    const names = savedNames(await historyOf(url, promptIdFor(jobId, 0)));
    expect(names).toEqual(Array.from({ length: images }, (_, i) => `anime-production_${jobId}_${String(i + 1).padStart(5, '0')}_.png`));
  }

  test('a still through the model-free template: the image at the size asked, its prompt kept as data', async () => {
    const c = await service('still');
    const jobId = await c.generate(STILL);
    await expectCompletedOnce(c, jobId, 1);
    const [original] = (await c.stack.database.db.select().from(assets).where(eq(assets.jobId, jobId))).filter((a) => a.variant === 'original');
    expect(original).toMatchObject({ width: 96, height: 64, mime: 'image/png' });
    const entry = await historyOf(url, promptIdFor(jobId, 0));
    expect(entry!.prompt[2]['5']!.inputs.value).toBe(STILL.prompt);
    expect(entry!.prompt[2]['6']!.inputs.value).toBe(42);
  });

  test('a batch: count 2 gives two images from one prompt', async () => {
    const c = await service('still');
    const jobId = await c.generate({ ...STILL, count: 2 });
    await expectCompletedOnce(c, jobId, 2);
  });

  test('a cached re-run (same graph twice) still completes with its image', async () => {
    const c = await service('still');
    const first = await c.generate({ ...STILL, seed: 7 });
    await expectCompletedOnce(c, first, 1);
    const second = await c.generate({ ...STILL, seed: 7 });
    await expectCompletedOnce(c, second, 1);
    const messages = (await historyOf(url, promptIdFor(second, 0)))!.status.messages;
    const cached = messages.find(([event]) => event === 'execution_cached')![1].nodes as string[];
    expect(cached.length).toBeGreaterThan(0);
    expect(progressOf(c.events.of(second)).at(-1)!.percent).toBe(90);
  });

  test('a validation error (400 node_errors) fails the job at once, without retrying', async () => {
    const c = await service('invalid');
    const jobId = await c.generate(STILL);
    const end = await c.events.end(jobId);
    expect(end).toMatchObject({ type: 'failed', code: 'backend_rejected', willRetry: false });
    expect(c.events.of(jobId).filter((e) => e.type === 'started')).toHaveLength(1);
    expect(await historyOf(url, promptIdFor(jobId, 0))).toBeUndefined();
  });

  test('a runtime error (execution_error) fails the job without retrying and without a traceback', async () => {
    const c = await service('runtime-error');
    const jobId = await c.generate(STILL);
    const end = await c.events.end(jobId);
    expect(end).toMatchObject({ type: 'failed', code: 'execution_failed', willRetry: false });
    expect(JSON.stringify(end)).not.toMatch(/Traceback|File "|\.py\b/);
    expect((await writtenHistoryOf(url, promptIdFor(jobId, 0)))!.status.status_str).toBe('error');
  });

  test('a lost reply to POST /prompt: the worker finds the prompt it sent and the server runs it once', async () => {
    let dropped = false;
    const dropFirstPromptReply: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!dropped && init?.method === 'POST' && String(input).endsWith('/prompt')) {
        dropped = true;
        await response.body?.cancel();
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      }
      return response;
    };
    const c = await service('still', { worker: false });
    const generator = createComfyUiGenerator({ baseUrl: url, workflowsDir: templates.dir, workflow: 'still', timeoutMs: 60_000, fetchImpl: dropFirstPromptReply });
    await c.stack.startWorker({ generator });
    const jobId = await c.generate(STILL);
    await expectCompletedOnce(c, jobId, 1);
    expect(dropped).toBe(true);
  });

  test.skipIf(!HAS_KIT)("the kit's tagged graphs drive as exported: still, runtime error, validation error", async () => {
    for (const name of ['still', 'runtime-error', 'invalid']) await copyFile(join(KIT_WORKFLOWS, `${name}.json`), join(templates.dir, `kit-${name}.json`));
    const still = await service('kit-still');
    const jobId = await still.generate(STILL);
    await expectCompletedOnce(still, jobId, 1);
    expect((await historyOf(url, promptIdFor(jobId, 0)))!.prompt[2]['5']!.inputs.value).toBe(STILL.prompt);
    const failing = await service('kit-runtime-error');
    expect(await failing.events.end(await failing.generate(STILL))).toMatchObject({ type: 'failed', code: 'execution_failed' });
    const invalid = await service('kit-invalid');
    expect(await invalid.events.end(await invalid.generate(STILL))).toMatchObject({ type: 'failed', code: 'backend_rejected' });
  });

  describe.skipIf(!HAS_SLEEP)('with a slow node', () => {
    test('progress arrives with intermediate values, sane and never stepping back', async () => {
      const c = await service('sleepy');
      const jobId = await c.generate({ ...STILL, steps: 2 });
      await expectCompletedOnce(c, jobId, 1);
      const percents = progressOf(c.events.of(jobId)).map((e) => e.percent);
      const between = new Set(percents.filter((p) => p > 0 && p < 90));
      expect(between.size).toBeGreaterThanOrEqual(3);
      for (const [i, p] of percents.entries()) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(90);
        if (i > 0) expect(p).toBeGreaterThanOrEqual(percents[i - 1]!);
      }
    });

    test('a socket dropped mid-run: the worker reconnects, the job completes, the prompt ran once', async () => {
      const target = new URL(url);
      const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 80) });
      open.push(proxy);
      const c = await service('sleepy', { env: { COMFYUI_URL: `http://127.0.0.1:${proxy.port}` } });
      const jobId = await c.generate({ ...STILL, steps: 3 });
      const midway = await c.events.next((e) => e.jobId === jobId && e.type === 'progress' && e.percent > 5);
      await proxy.cut();
      await proxy.restore();
      await expectCompletedOnce(c, jobId, 1);
      expect(progressOf(c.events.of(jobId)).some((e) => e.at > midway.at && e.percent > (midway as { percent: number }).percent)).toBe(true);
    });

    test('a worker restart mid-job: the next worker follows the running prompt instead of sending it again', async () => {
      const c = await service('sleepy', { env: { SHUTDOWN_GRACE_MS: '100' } });
      const jobId = await c.generate({ ...STILL, steps: 4 });
      await c.events.next((e) => e.jobId === jobId && e.type === 'progress' && e.percent > 5);
      await c.stack.stopWorker();
      const [handedBack] = await c.stack.database.db.select().from(jobs).where(eq(jobs.id, jobId));
      expect(handedBack!.status).toBe('queued');
      const queue = await comfyGet<{ queue_running: unknown[][]; queue_pending: unknown[][] }>(url, 'queue');
      expect(queue.queue_running.map((item) => item[1])).toContain(promptIdFor(jobId, 0));
      await c.stack.startWorker();
      await expectCompletedOnce(c, jobId, 1);
    });

    test('a worker killed mid-job: the job comes back and the next worker takes the prompt already sent', async () => {
      const c = await service('sleepy', { worker: false, env: { WORKER_LOCK_MS: '1000' } });
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], { cwd: ROOT, env: { ...process.env, ...c.stack.env }, stdio: 'ignore' });
      open.push({ close: async () => void (child.exitCode === null && child.kill('SIGKILL')) });
      const jobId = await c.generate({ ...STILL, steps: 3 });
      await c.events.next((e) => e.jobId === jobId && e.type === 'progress' && e.percent > 5);
      child.kill('SIGKILL');
      await once(child, 'exit');
      await c.stack.startWorker({ lockDurationMs: 1000, stalledIntervalMs: 500 });
      await expectCompletedOnce(c, jobId, 1);
    });

    test('cancel of a running job interrupts its prompt', async () => {
      const c = await service('sleepy');
      const jobId = await c.generate({ ...STILL, steps: 60 });
      await c.events.next((e) => e.jobId === jobId && e.type === 'progress' && e.percent > 0);
      const ended = attemptEnded(c, jobId);
      expect(await c.cancel(jobId)).toBe(200);
      expect(await c.events.end(jobId)).toMatchObject({ type: 'cancelled' });
      expect(await ended).toBe('cancelled');
      const entry = await writtenHistoryOf(url, promptIdFor(jobId, 0));
      expect(entry!.status.messages.map(([event]) => event)).toContain('execution_interrupted');
    });

    test('cancel of a job queued behind someone else deletes it from the queue and leaves the other running', async () => {
      const other = await blocker(60);
      const c = await service('sleepy');
      const jobId = await c.generate({ ...STILL, steps: 1 });
      await c.events.next((e) => e.jobId === jobId && e.type === 'progress' && e.stage === 'queued');
      const ended = attemptEnded(c, jobId);
      expect(await c.cancel(jobId)).toBe(200);
      expect(await c.events.end(jobId)).toMatchObject({ type: 'cancelled' });
      expect(await ended).toBe('cancelled');
      const queue = await comfyGet<{ queue_running: unknown[][]; queue_pending: unknown[][] }>(url, 'queue');
      expect(queue.queue_running.map((item) => item[1])).toEqual([other]);
      expect(queue.queue_pending.map((item) => item[1])).not.toContain(promptIdFor(jobId, 0));
      expect(await historyOf(url, promptIdFor(jobId, 0))).toBeUndefined();
    });

    test('a job queued behind a cancelled one still finishes', async () => {
      const c = await service('sleepy', { env: { WORKER_CONCURRENCY: '2' } });
      const first = await c.generate({ ...STILL, steps: 60 });
      await c.events.next((e) => e.jobId === first && e.type === 'progress' && e.percent > 0);
      const second = await c.generate({ ...STILL, steps: 1 });
      await c.events.next((e) => e.jobId === second && e.type === 'progress' && e.stage === 'queued');
      expect(await c.cancel(first)).toBe(200);
      expect(await c.events.end(first)).toMatchObject({ type: 'cancelled' });
      await expectCompletedOnce(c, second, 1);
    });
  });

  /** The worker's attempt is over (the cancel event is published before the worker has acted on it). */
  function attemptEnded(c: ConformanceStack, jobId: string): Promise<unknown> {
    return new Promise((resolve) => {
      for (const worker of c.stack.worker!.routeWorkers()) {
        worker.on('completed', (job, result) => {
          if (job.data.jobId === jobId) resolve(result);
        });
      }
    });
  }
});

describe.skipIf(!SERVER)('ComfyUI conformance: reference pictures (/upload/image into $image)', () => {
  test('the picture is uploaded, LoadImage reads it, and the result is made from it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ap-comfy-reference-'));
    // Model-free: the uploaded picture, scaled to the job's size, saved.
    const graph = {
      '1': { class_type: 'LoadImage', inputs: { image: 'placeholder.png' }, _meta: { title: '$image' } },
      '2': { class_type: 'ImageScale', inputs: { image: ['1', 0], upscale_method: 'nearest-exact', width: 64, height: 64, crop: 'disabled' }, _meta: { title: '$width $height' } },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'x' }, _meta: { title: '$output' } },
      '4': { class_type: 'PrimitiveString', inputs: { value: '' }, _meta: { title: '$prompt:value' } },
    };
    await writeFile(join(dir, 'reference.json'), JSON.stringify(graph));
    const generator = createComfyUiGenerator({ baseUrl: SERVER!, workflowsDir: dir, workflow: 'reference', imageWorkflow: 'reference', timeoutMs: 60_000 });
    try {
      const picture = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 250, g: 10, b: 240 } } }).png().toBuffer();
      const jobId = randomUUID();
      const files = await generator.generate(
        { jobId, kind: 'image', prompt: 'reference conformance', negativePrompt: '', width: 96, height: 72, seed: 1, steps: 1, count: 1, images: [{ data: picture, mime: 'image/png', ext: 'png', characterId: null }], strength: 0.5 },
        { signal: new AbortController().signal, onProgress: () => undefined },
      );
      expect(files).toHaveLength(1);
      const { data, info } = await sharp(files[0]!.data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([96, 72]);
      expect([data[0]! > 200, data[1]! < 40, data[2]! > 200]).toEqual([true, true, true]);
      // The server keeps it under our name in its input folder: /view?type=input serves the same bytes.
      const stored = await fetch(new URL(`view?filename=anime-production_${jobId}_0.png&type=input`, withSlash(SERVER!)));
      expect(stored.status).toBe(200);
      expect(Buffer.from(await stored.arrayBuffer()).equals(picture)).toBe(true);
    } finally {
      await generator.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!SERVER)('ComfyUI conformance: the upscale template (workflows/upscale.json)', () => {
  test('the shipped graph runs as written: the picture uploaded into $image comes back twice its size', async () => {
    const generator = createComfyUiGenerator({ baseUrl: SERVER!, workflowsDir: join(ROOT, 'workflows'), workflow: 'txt2img', timeoutMs: 60_000 });
    try {
      // Left half magenta, right half green: an enlargement keeps the halves where they were.
      const half = { width: 24, height: 36, channels: 3 as const };
      const picture = await sharp({ create: { width: 48, height: 36, channels: 3, background: { r: 0, g: 220, b: 0 } } })
        .composite([{ input: await sharp({ create: { ...half, background: { r: 250, g: 10, b: 240 } } }).png().toBuffer(), left: 0, top: 0 }])
        .png()
        .toBuffer();
      const files = await generator.generate(
        { jobId: randomUUID(), kind: 'image', operation: 'upscale', prompt: '', negativePrompt: '', width: 96, height: 72, seed: 1, steps: 1, count: 1, images: [{ data: picture, mime: 'image/png', ext: 'png', characterId: null }] },
        { signal: new AbortController().signal, onProgress: () => undefined },
      );
      expect(files).toHaveLength(1);
      const { data, info } = await sharp(files[0]!.data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([96, 72]);
      const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
      expect(at(10, 36)[0]).toBeGreaterThan(200);
      expect(at(85, 36)[1]).toBeGreaterThan(180);
    } finally {
      await generator.close();
    }
  });
});
