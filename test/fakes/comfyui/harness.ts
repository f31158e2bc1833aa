import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { createComfyUiGenerator, type ComfyUiGenerator, type ComfyUiGeneratorOptions } from '../../../src/worker/backends/comfyui/comfyui-generator.js';
import { FakeComfyUi, type FakeComfyUiOptions } from './server.js';

export const WORKFLOWS_DIR = fileURLToPath(new URL('../../../workflows', import.meta.url));

export interface ComfyUiHarness {
  fake: FakeComfyUi;
  generator: ComfyUiGenerator;
  cleanup(): Promise<void>;
}

/** A fake on an ephemeral port and a generator pointed at it; cleanup closes both. */
export async function startComfyUiHarness(fakeOptions: FakeComfyUiOptions = {}, options: Partial<ComfyUiGeneratorOptions> = {}): Promise<ComfyUiHarness> {
  const fake = await FakeComfyUi.start(fakeOptions);
  const generator = createComfyUiGenerator({
    baseUrl: fake.url,
    workflowsDir: WORKFLOWS_DIR,
    workflow: 'txt2img',
    timeoutMs: 20_000,
    pollIntervalMs: 20,
    ...options,
  });
  return {
    fake,
    generator,
    async cleanup() {
      await generator.close();
      await fake.close();
    },
  };
}

/** For a describe block: a harness per test, closed after each (registers the afterEach itself). */
export function harnessPerTest(): (fakeOptions?: FakeComfyUiOptions, options?: Partial<ComfyUiGeneratorOptions>) => Promise<ComfyUiHarness> {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  return async (fakeOptions = {}, options = {}) => {
    const harness = await startComfyUiHarness(fakeOptions, options);
    cleanup = harness.cleanup;
    return harness;
  };
}

/** Queues someone else's prompt straight over HTTP, as another ComfyUI user would. */
export async function submitForeignPrompt(fake: FakeComfyUi, clientId: string | undefined): Promise<string> {
  const prompt = JSON.parse(await readFile(join(WORKFLOWS_DIR, 'txt2img.json'), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;
  prompt['5']!.inputs.width = 64;
  prompt['5']!.inputs.height = 64;
  prompt['3']!.inputs.steps = 3;
  const response = await fetch(`${fake.url}/api/prompt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(clientId === undefined ? { prompt } : { prompt, client_id: clientId }),
  });
  const body = (await response.json()) as { prompt_id: string };
  return body.prompt_id;
}
