import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';

/** `npm run doctor` as an operator runs it: its own process, the environment, no Postgres or Redis needed. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCTOR = fileURLToPath(new URL('../../src/cli/doctor.ts', import.meta.url));

function doctor(env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', DOCTOR], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', APP_SECRET: randomBytes(32).toString('hex'), ...env }, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

let comfy: ComfyUiHarness;
beforeAll(async () => {
  comfy = await startComfyUiHarness();
});
afterAll(async () => {
  await comfy?.cleanup();
});

test('against a ComfyUI that has the checkpoints: the templates and models that will run, exit 0', async () => {
  const result = await doctor({ COMFYUI_URL: comfy.fake.url, COMFYUI_MODELS: 'animagine=Animagine XL:animagine-xl-3.1.safetensors,pony=Pony XL:pony-xl.safetensors' });
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  expect(result.out).toContain('animagine-xl-3.1.safetensors');
  expect(result.out).toMatch(/txt2img.*will run/);
  expect(result.out).toMatch(/pony[^\n]*checkpoint "pony-xl.safetensors" is not on the image server/);
});

test('against a server that does not answer: says so in one line and exits 1; a bad setting exits 2', async () => {
  const down = await startComfyUiHarness();
  const url = down.fake.url;
  await down.cleanup();
  const result = await doctor({ COMFYUI_URL: url });
  expect(result.code).toBe(1);
  expect(result.out).toMatch(/nothing can run until the image server answers/);
  expect(result.out).not.toMatch(/\n\s+at /);
  const bad = await doctor({ COMFYUI_URL: url, COMFYUI_MODELS: 'Bad Id=X:a.safetensors' });
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/COMFYUI_MODELS/);
});

test('a farm (COMFYUI_URLS): every server under its name; exit 0 while any of them can run something', async () => {
  const down = await startComfyUiHarness();
  const downUrl = down.fake.url;
  await down.cleanup();
  const result = await doctor({ COMFYUI_URLS: `gpu1=${comfy.fake.url},gpu2=${downUrl}` });
  expect(result.code).toBe(0);
  const [, gpu1 = '', gpu2 = ''] = result.out.split(/^== (?:gpu1|gpu2) ==$/m);
  expect(result.out.indexOf('== gpu1 ==')).toBeLessThan(result.out.indexOf('== gpu2 =='));
  expect(gpu1).toMatch(/txt2img.*will run/);
  expect(gpu2).toMatch(/nothing can run until the image server answers/);
});
