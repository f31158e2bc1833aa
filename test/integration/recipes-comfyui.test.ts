import { afterAll, beforeAll, expect, test } from 'vitest';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';
import { api } from '../support/api.js';
import { jobEnds } from '../support/job-ends.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { openLink, page } from './projects-support.js';

/**
 * Issue 14 item 5 against ComfyUI (the fake): the workflow download is the graph the server
 * received, byte for byte as JSON; the recipe names the template version the worker built from;
 * an identical request is answered without a second prompt; the gallery offers both downloads.
 */
let comfy: ComfyUiHarness;
let stack: TestStack;
let ends: Awaited<ReturnType<typeof jobEnds>>;
let creator: string;
let jobId: string;

beforeAll(async () => {
  comfy = await startComfyUiHarness();
  stack = await startTestStack({ worker: false, env: { COMFYUI_URL: comfy.fake.url, RATE_LIMIT_BURST: '100' } });
  await stack.startWorker();
  ends = await jobEnds(stack);
  creator = await stack.token('aiko', 'creator');
  const created = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a tea house at dusk', seed: 4321, width: 256, height: 256, steps: 4 });
  expect(created.status).toBe(202);
  jobId = created.json.job_id as string;
  await ends.ended(jobId);
});
afterAll(async () => {
  await stack?.close();
  await comfy?.cleanup();
});

test('GET .../workflow answers the exact graph ComfyUI received, and the recipe names the template version it was built from', async () => {
  expect(comfy.fake.received.prompts).toHaveLength(1);
  const received = comfy.fake.received.prompts[0]!.body.prompt;
  const workflow = await api(stack, 'GET', `/api/anime/generation/${jobId}/workflow`, creator);
  expect(workflow.status).toBe(200);
  expect(workflow.json).toEqual(received);
  expect(workflow.headers.get('content-disposition')).toBe(`attachment; filename="workflow-${jobId}.json"`);
  expect(workflow.headers.get('x-workflow-template')).toBe('txt2img');
  const version = workflow.headers.get('x-workflow-template-version');
  expect(version).toMatch(/^txt2img@[0-9a-f]{16}$/);
  // The values of this job are in it: prompt, seed, size.
  expect(JSON.stringify(workflow.json)).toContain('a tea house at dusk');
  expect(JSON.stringify(workflow.json)).toContain('4321');

  const recipe = await api(stack, 'GET', `/api/anime/generation/${jobId}/recipe`, creator);
  expect(recipe.json).toMatchObject({ template_version: version, backend: 'comfyui', seed: 4321, width: 256, height: 256, steps: 4 });

  const stranger = await stack.token('aiko', 'creator', 'elsewhere');
  expect((await api(stack, 'GET', `/api/anime/generation/${jobId}/workflow`, stranger)).status).toBe(404);
});

test('an identical request is answered from the files without a second prompt; its workflow download is the twin\'s', async () => {
  const other = await stack.token('ben', 'creator');
  const twin = await api(stack, 'POST', '/api/anime/generate', other, { prompt: 'a tea house at dusk', seed: 4321, width: 256, height: 256, steps: 4 });
  expect(twin.json).toMatchObject({ status: 'completed', reused: true });
  expect(comfy.fake.received.prompts).toHaveLength(1);
  const workflow = await api(stack, 'GET', `/api/anime/generation/${twin.json.job_id}/workflow`, other);
  expect(workflow.json).toEqual(comfy.fake.received.prompts[0]!.body.prompt);
});

test('the gallery image page links the recipe and the workflow; both download for a member and 404 for others', async () => {
  const link = await api(stack, 'POST', '/api/gallery-link', creator);
  const { cookie } = await openLink(link.json.url);
  const space = new URL(link.json.url).pathname.split('/')[2]!;
  const imagePage = await page(`${stack.baseUrl}/gallery/${space}/i/${jobId}`, cookie);
  expect(imagePage.status).toBe(200);
  expect(imagePage.text).toContain(`href="/gallery/${space}/i/${jobId}/recipe.json"`);
  expect(imagePage.text).toContain(`href="/gallery/${space}/i/${jobId}/workflow.json"`);

  const recipe = await page(`${stack.baseUrl}/gallery/${space}/i/${jobId}/recipe.json`, cookie);
  expect(recipe.status).toBe(200);
  expect(recipe.headers.get('content-disposition')).toBe(`attachment; filename="recipe-${jobId}.json"`);
  expect(JSON.parse(recipe.text)).toMatchObject({ job_id: jobId, prompt: 'a tea house at dusk', seed: 4321 });
  const workflow = await page(`${stack.baseUrl}/gallery/${space}/i/${jobId}/workflow.json`, cookie);
  expect(JSON.parse(workflow.text)).toEqual(comfy.fake.received.prompts[0]!.body.prompt);

  expect((await page(`${stack.baseUrl}/gallery/${space}/i/${jobId}/recipe.json`)).status).toBe(404);
  const elsewhere = await api(stack, 'POST', '/api/gallery-link', await stack.token('olga', 'creator', 'elsewhere'));
  const otherCookie = (await openLink(elsewhere.json.url)).cookie;
  expect((await page(`${stack.baseUrl}/gallery/${space}/i/${jobId}/recipe.json`, otherCookie)).status).toBe(404);
});
