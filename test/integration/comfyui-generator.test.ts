import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { GenerationError } from '../../src/core/errors.js';
import type { ProgressReport } from '../../src/core/generator.js';
import { contractInput, generatorContract } from '../contract/generator-contract.js';
import { harnessPerTest, startComfyUiHarness, WORKFLOWS_DIR as WORKFLOWS } from '../fakes/comfyui/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const noProgress = { signal: new AbortController().signal, onProgress: () => undefined };

async function rejection(run: Promise<unknown>): Promise<GenerationError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GenerationError);
  return error as GenerationError;
}

function expectSafe(message: string): void {
  expect(message).not.toMatch(/\/home|\/opt|Traceback|File "|\.py\b|:\/\/[^\s]*@/);
}

generatorContract('comfyui', async () => {
  const { generator, cleanup } = await startComfyUiHarness();
  return { generator, cleanup };
});

describe('ComfyUI generator against the fake server', () => {
  const setup = harnessPerTest();

  test('submits our own client_id and UUID prompt_id and the edited workflow, on a socket with that id', async () => {
    const { fake, generator } = await setup();
    const prompt = 'she said "hi" }, {"class_type": "Evil"} \n\\ 桜';
    const files = await generator.generate(contractInput({ prompt, seed: 77, steps: 5, count: 3, width: 320, height: 200 }), noProgress);
    expect(files).toHaveLength(3);

    expect(fake.received.prompts).toHaveLength(1);
    const { body, promptId } = fake.received.prompts[0]!;
    expect(body.prompt_id).toMatch(UUID);
    expect(promptId).toBe(body.prompt_id);
    expect(fake.received.sockets.map((s) => s.clientId)).toEqual([body.client_id]);
    expect(fake.received.sockets[0]!.featureFlags).toEqual({ supports_preview_metadata: true });

    const stored = fake.history.get(promptId!)!.prompt as [number, string, Record<string, { inputs: Record<string, unknown> }>, Record<string, unknown>];
    expect(stored[3].client_id).toBe(body.client_id);
    const graph = stored[2];
    expect(graph['6']!.inputs.text).toBe(prompt);
    expect(graph['7']!.inputs.text).toBe('blurry');
    expect(graph['3']!.inputs).toMatchObject({ seed: 77, steps: 5 });
    expect(graph['5']!.inputs).toEqual({ width: 320, height: 200, batch_size: 3 });
    expect(fake.files.list().filter((f) => f.startsWith('output:anime-production_'))).toHaveLength(3);
  });

  test('progress comes from progress frames, completion from executing null, outputs from /history and /view', async () => {
    const { fake, generator } = await setup();
    const steps: number[] = [];
    fake.events.on('step', (s: { value: number }) => steps.push(s.value));
    const reports: ProgressReport[] = [];
    const files = await generator.generate(contractInput({ steps: 8 }), { signal: new AbortController().signal, onProgress: (r) => reports.push(r) });

    const sampling = reports.filter((r) => r.stage === 'sampling' && r.step > 0).map((r) => r.step);
    expect(sampling).toEqual(steps);
    expect(sampling).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(reports.map((r) => r.stage)).toEqual(expect.arrayContaining(['queued', 'loading model', 'encoding prompt', 'decoding', 'saving']));
    expect(reports.at(-1)).toMatchObject({ step: 8, totalSteps: 8 });

    // With a healthy socket the client asks /queue and /history before sending (is the job's prompt
    // there already?) and /history once more after executing null, never polling.
    const calls = fake.received.requests.filter((r) => r.path !== '/view').map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, 'ID')}`);
    expect(calls).toEqual(['GET /queue', 'GET /history/ID', 'POST /prompt', 'GET /history/ID']);
    expect(fake.received.requests.filter((r) => r.path === '/view')).toHaveLength(1);
    const meta = await sharp(files[0]!.data).metadata();
    expect(meta.format).toBe('png');
  });

  test('GPU time: the run says started when the server starts our prompt (after it was queued) and stopped before the files are fetched', async () => {
    const { generator } = await setup();
    const timeline: string[] = [];
    await generator.generate(contractInput({ steps: 3 }), {
      signal: new AbortController().signal,
      onProgress: (r) => timeline.push(r.stage),
      onBackendWork: (phase) => timeline.push(`gpu ${phase}`),
    });
    const at = (entry: string) => timeline.indexOf(entry);
    expect(timeline.filter((e) => e.startsWith('gpu '))).toEqual(['gpu started', 'gpu stopped']);
    // Waiting in the server's queue is not GPU time; fetching the outputs is not either.
    expect(at('queued')).toBeLessThan(at('gpu started'));
    expect(at('gpu started')).toBeLessThan(at('sampling'));
    expect(at('gpu stopped')).toBeLessThan(at('fetching results'));
  });

  test('video jobs use the video template (Wan 2.1) and return its MP4 as a video; the core-only template gives an animated WEBP', async () => {
    const { generator } = await setup();
    const files = await generator.generate(contractInput({ kind: 'video', width: 96, height: 64, steps: 3 }), noProgress);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ kind: 'video', mime: 'video/mp4' });
    expect(files[0]!.data.toString('latin1', 4, 8)).toBe('ftyp');
    // Another job (its own prompt ids) asking for a shorter clip.
    const short = await generator.generate(contractInput({ jobId: '00000000-0000-4000-8000-000000000002', kind: 'video', width: 96, height: 64, steps: 3, frames: 9 }), noProgress);
    expect(short[0]!.data.length).toBeLessThan(files[0]!.data.length);
    const coreOnly = await startComfyUiHarness({}, { videoWorkflow: 'video-frames' });
    try {
      const webp = await coreOnly.generator.generate(contractInput({ kind: 'video', width: 96, height: 64, steps: 3 }), noProgress);
      expect(webp[0]).toMatchObject({ kind: 'video', mime: 'image/webp' });
      const meta = await sharp(webp[0]!.data, { animated: true }).metadata();
      expect(meta.pages).toBe(16);
      expect(meta.width).toBe(96);
    } finally {
      await coreOnly.cleanup();
    }
  });

  test('VideoHelperSuite outputs under `gifs` are found and downloaded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ap-workflows-'));
    try {
      const template = {
        '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
        '2': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 4 } },
        '3': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
        '4': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
        '5': { class_type: 'KSampler', inputs: { seed: 0, steps: 2, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['3', 0], negative: ['4', 0], latent_image: ['2', 0] } },
        '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
        '7': { class_type: 'VHS_VideoCombine', inputs: { images: ['6', 0], frame_rate: 8, loop_count: 0, filename_prefix: 'x', format: 'image/gif', pingpong: false, save_output: true } },
      };
      await writeFile(join(dir, 'gif.json'), JSON.stringify(template));
      const { generator } = await setup({}, { workflowsDir: dir, videoWorkflow: 'gif' });
      const files = await generator.generate(contractInput({ kind: 'video', width: 64, height: 48, steps: 2 }), noProgress);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ kind: 'video', mime: 'image/gif' });
      expect((await sharp(files[0]!.data, { animated: true }).metadata()).pages).toBe(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a 400 with node_errors becomes a never-retry error naming the node and input', async () => {
    const { fake, generator } = await setup();
    const error = await rejection(generator.generate(contractInput({ steps: 20_000 }), noProgress));
    expect(fake.received.prompts[0]!.status).toBe(400);
    expect(error).toMatchObject({ code: 'backend_rejected', retry: 'never' });
    expect(error.details).toMatchObject({ nodeType: 'KSampler', node: '3', input: 'steps' });
    expect(error.adminText).toContain('KSampler (node 3)');
    expect(error.adminText).toContain("input 'steps'");
    expect(error.adminText).toContain('Value 20000 bigger than max of 10000');
    expectSafe(error.adminText!);

    const lora = await rejection(generator.generate(contractInput({ loras: [{ name: 'missing.safetensors', weight: 0.8 }] }), noProgress));
    expect(lora.details).toMatchObject({ nodeType: 'LoraLoader', input: 'lora_name', problem: 'value_not_in_list' });
    expect(lora.adminText).toMatch(/LoraLoader \(node \d+\) input 'lora_name': Value not in list/);
  });

  test('an unknown node class is an invalid_prompt rejection that names the class', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ap-workflows-'));
    try {
      const template = JSON.parse(await readFile(join(WORKFLOWS, 'txt2img.json'), 'utf8')) as Record<string, unknown>;
      template['20'] = { class_type: 'UpscaleWithMagic', inputs: {} };
      await writeFile(join(dir, 'txt2img.json'), JSON.stringify(template));
      const { generator } = await setup({}, { workflowsDir: dir });
      const error = await rejection(generator.generate(contractInput(), noProgress));
      expect(error).toMatchObject({ code: 'backend_rejected', retry: 'never' });
      expect(error.details).toMatchObject({ nodeType: 'UpscaleWithMagic', problem: 'missing_node_type' });
      expect(error.adminText).toContain('UpscaleWithMagic does not exist');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('execution_error becomes a never-retry error with the exception summarised and no traceback or path', async () => {
    const { fake, generator } = await setup();
    fake.script.failure = {
      node: 'KSampler',
      exceptionType: 'torch.OutOfMemoryError',
      message: 'CUDA out of memory. Tried to allocate 2.00 GiB while loading /home/comfy/ComfyUI/models/checkpoints/animagine-xl-3.1.safetensors\nTraceback (most recent call last):',
    };
    const error = await rejection(generator.generate(contractInput(), noProgress));
    expect(error).toMatchObject({ code: 'execution_failed', retry: 'never' });
    expect(error.details).toEqual({ nodeType: 'KSampler', node: '3' });
    expect(error.adminText).toContain('OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB');
    expectSafe(error.adminText!);
    expect(JSON.stringify(error.details)).not.toContain('OutOfMemory');
  });

  test('an unreachable server is a backoff error', async () => {
    const { fake, generator } = await setup();
    await fake.close();
    const error = await rejection(generator.generate(contractInput(), noProgress));
    expect(error).toMatchObject({ code: 'backend_unreachable', retry: 'backoff' });
    expectSafe(error.message);
  });

  test('a lost reply to POST /prompt: the prompt is found on the queue and followed, never sent twice', async () => {
    const { fake, generator } = await setup();
    fake.script.dropNextPromptResponse = true;
    const files = await generator.generate(contractInput(), noProgress);
    expect(files).toHaveLength(1);
    expect(fake.received.prompts.map((p) => p.status)).toEqual([200]);
    expect(fake.history.size).toBe(1);
    expect(fake.files.list().filter((f) => f.startsWith('output:anime-production_'))).toEqual([expect.stringContaining('_00001_.png')]);
  });

  test("a 2024 server that mints its own prompt_id is followed by the id it returns", async () => {
    const { fake, generator } = await setup({ legacyPromptIds: true });
    const reports: ProgressReport[] = [];
    const files = await generator.generate(contractInput({ steps: 4 }), { signal: new AbortController().signal, onProgress: (r) => reports.push(r) });
    expect(files).toHaveLength(1);
    const received = fake.received.prompts[0]!;
    expect(received.promptId).not.toBe(received.body.prompt_id);
    expect(fake.history.has(received.promptId!)).toBe(true);
    expect(reports.filter((r) => r.stage === 'sampling' && r.step > 0).map((r) => r.step)).toEqual([1, 2, 3, 4]);
  });

  test('cached nodes (sampler included) still complete, with progress ending at the total', async () => {
    const { fake, generator } = await setup();
    fake.script.cachedNodes = new Set(['3', '4', '5', '6', '7']);
    const reports: ProgressReport[] = [];
    const files = await generator.generate(contractInput({ steps: 5 }), { signal: new AbortController().signal, onProgress: (r) => reports.push(r) });
    expect(files).toHaveLength(1);
    expect(reports.some((r) => r.stage === 'sampling')).toBe(false);
    expect(reports.at(-1)).toMatchObject({ step: 5, totalSteps: 5 });
  });
});
