import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';

warnIfNoChromium('studio models test');

/**
 * The try page's model picker against a ComfyUI (the fake, listing its checkpoints as the real
 * server does): `pony` names a checkpoint the server lacks, so the worker reports it unavailable.
 */
let comfy: ComfyUiHarness;
let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  comfy = await startComfyUiHarness();
  stack = await startTestStack({
    worker: false,
    env: {
      COMFYUI_URL: comfy.fake.url,
      COMFYUI_MODELS: 'animagine=Animagine XL 3.1:animagine-xl-3.1.safetensors,sd15=SD 1.5:v1-5-pruned-emaonly.safetensors,pony=Pony XL:pony-xl.safetensors',
    },
  });
  // The worker checks its backend as it starts: from then on the models' availability is known.
  await stack.startWorker();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await comfy?.cleanup();
});

describe.skipIf(!haveChromium)('the studio\'s model picker', () => {
  test('lists GET /api/models: the default preselected, a model no backend has not selectable; the one picked is the one the job runs on', { timeout: 90_000 }, async () => {
    const tab = await browser.newPage();
    await tab.goto(`${stack.baseUrl}/#token=${await stack.token('aiko', 'creator')}`);
    await expect.poll(() => tab.locator('#model option').count()).toBe(3);
    const options = await tab.locator('#model option').evaluateAll((all) =>
      all.map((o) => ({ value: o.getAttribute('value'), text: o.textContent, disabled: o.hasAttribute('disabled') })),
    );
    expect(options).toEqual([
      { value: 'animagine', text: 'Animagine XL 3.1', disabled: false },
      { value: 'sd15', text: 'SD 1.5', disabled: false },
      { value: 'pony', text: 'Pony XL (not available now)', disabled: true },
    ]);
    expect(await tab.evaluate("document.getElementById('model').value")).toBe('animagine');

    await tab.selectOption('#model', 'sd15');
    await tab.fill('#steps', '4');
    const sent = tab.waitForRequest((request) => request.url().endsWith('/api/anime/generate') && request.method() === 'POST');
    const answered = tab.waitForResponse((response) => response.url().endsWith('/api/anime/generate'));
    await tab.click('#go');
    expect((await sent).postDataJSON()).toMatchObject({ model: 'sd15' });
    const jobId = ((await (await answered).json()) as { job_id: string }).job_id;
    await expect.poll(() => tab.textContent('#stage'), { timeout: 60_000, interval: 100 }).toBe('Done');
    expect(await stack.runtime.records.getJob(jobId)).toMatchObject({ status: 'completed', model: 'sd15', modelName: 'SD 1.5' });
    const graph = JSON.stringify(comfy.fake.received.prompts.at(-1)?.body);
    expect(graph).toContain('"ckpt_name":"v1-5-pruned-emaonly.safetensors"');
    await tab.close();
  });
});
