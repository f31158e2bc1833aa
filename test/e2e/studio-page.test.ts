import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';

const SHOTS = 'test-results';
warnIfNoChromium('studio page test');

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let yuki: string;
const cspErrors: string[] = [];

beforeAll(async () => {
  if (!haveChromium) return;
  stack = await startTestStack({ worker: true, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000', MAX_PENDING_PER_USER: '50', BUILTIN_STEP_DELAY_MS: '10' } });
  const mod = await stack.token('mika', 'moderator');
  expect((await api(stack, 'POST', '/api/projects', mod, { name: 'Summer Festival' })).status).toBe(201);
  expect((await api(stack, 'POST', '/api/characters', mod, { name: 'Aiko', prompt: 'girl, pink long hair', project: 'summer-festival' })).status).toBe(201);
  expect((await api(stack, 'POST', '/api/characters', mod, { name: 'Ren', prompt: 'boy, black hair, red scarf' })).status).toBe(201);
  yuki = await stack.token('yuki', 'creator');
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function openStudio(tab: Page, token: string): Promise<void> {
  tab.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
  });
  await tab.goto(`${stack.baseUrl}/#token=${token}`);
  await expect.poll(() => tab.locator('#project option').count()).toBeGreaterThan(0);
  await expect.poll(() => tab.locator('#model option').count()).toBeGreaterThan(0);
}

/** Selected values of a select, read in the page (strings: the test project has no DOM types). */
const selected = (tab: Page, id: string) => tab.evaluate(`document.getElementById('${id}').value`);
const characterNames = (tab: Page) => tab.locator('#characters label.character').allTextContents().then((names) => names.map((n) => n.trim()));

/** The status line, or the error when the page shows one (so a failure says why). */
const stageOrError = async (tab: Page) => ((await tab.isVisible('#error')) ? `error: ${await tab.textContent('#error')}` : tab.textContent('#stage'));

/** Submits the form and returns the request body the page sent and the job id the API answered. */
async function submitForm(tab: Page): Promise<{ body: Record<string, unknown>; jobId: string }> {
  const sent = tab.waitForRequest((request) => request.url().endsWith('/api/anime/generate') && request.method() === 'POST');
  const answered = tab.waitForResponse((response) => response.url().endsWith('/api/anime/generate'));
  await tab.click('#go');
  const body = (await sent).postDataJSON() as Record<string, unknown>;
  const response = await answered;
  expect(response.status()).toBe(202);
  return { body, jobId: ((await response.json()) as { job_id: string }).job_id };
}

/** The screenshot decoded: not blank, and the form's own pixels where the page says the form is. */
async function checkScreenshot(tab: Page, path: string): Promise<void> {
  await tab.evaluate('window.scrollTo(0, 0)');
  await tab.screenshot({ path, fullPage: true });
  const image = sharp(path);
  const { width, height } = await image.metadata();
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const stats = await sharp(path).stats();
  expect(Math.max(...stats.channels.slice(0, 3).map((c) => c.stdev))).toBeGreaterThan(10); // not one flat colour
  const scale = width! / ((await tab.evaluate('window.innerWidth')) as number);
  const pixel = (x: number, y: number) => {
    const at = (Math.round(y * scale) * info.width + Math.round(x * scale)) * info.channels;
    return [data[at]!, data[at + 1]!, data[at + 2]!];
  };
  // The Generate button is drawn in its colour (#c2407a) where the DOM puts it, inside the form.
  const form = (await tab.locator('#generate').boundingBox())!;
  const go = (await tab.locator('#go').boundingBox())!;
  expect(go.y + go.height).toBeLessThanOrEqual(height! / scale);
  expect(go.x).toBeGreaterThanOrEqual(form.x);
  expect(go.x + go.width).toBeLessThanOrEqual(form.x + form.width + 1);
  const [r, g, b] = pixel(go.x + 6, go.y + go.height / 2);
  expect(Math.abs(r! - 0xc2) + Math.abs(g! - 0x40) + Math.abs(b! - 0x7a)).toBeLessThan(40);
  // The prompt box is drawn as a field: across its top edge some pixel (the border) differs from its inside.
  const prompt = (await tab.locator('#prompt').boundingBox())!;
  const x = prompt.x + prompt.width / 2;
  const inside = pixel(x, prompt.y + prompt.height / 2);
  const edge = [-2, -1, 0, 1, 2].map((dy) => pixel(x, prompt.y + dy));
  expect(edge.some((p) => p.some((v, i) => Math.abs(v - inside[i]!) > 20))).toBe(true);
}

describe.skipIf(!haveChromium)('the try page as a small studio, in a real browser', () => {
  test('every field filled -> the API receives them all -> the job finishes -> recent jobs show it; Delete removes it', { timeout: 150_000 }, async () => {
    const tab = await context.newPage();
    await openStudio(tab, yuki);
    // The space's default project and the default model are preselected.
    expect(await selected(tab, 'project')).toBe('general');
    expect(await selected(tab, 'model')).toBe('builtin');
    expect(await tab.locator('#project option').allTextContents()).toEqual(expect.arrayContaining(['General', 'Summer Festival']));
    // The characters list is fetched for the chosen project after the form is drawn: wait for it.
    await expect.poll(() => characterNames(tab)).toEqual(['Ren']);

    await tab.selectOption('#project', 'summer-festival');
    await expect.poll(() => characterNames(tab)).toEqual(['Aiko', 'Ren']);
    await tab.fill('#prompt', 'dancing at the lantern festival');
    await tab.fill('#negative', 'blurry, extra fingers');
    await tab.check('#characters input[value="Aiko"]');
    await tab.check('#characters input[value="Ren"]');
    await tab.selectOption('#kind', 'video');
    await tab.selectOption('#aspect', '512x768');
    await tab.selectOption('#count', '2');
    await tab.fill('#seed', '1234');
    await tab.fill('#steps', '3');
    await tab.selectOption('#model', 'builtin');
    await checkScreenshot(tab, `${SHOTS}/studio-form.png`);

    const { body, jobId } = await submitForm(tab);
    expect(body).toEqual({
      prompt: 'dancing at the lantern festival',
      negative_prompt: 'blurry, extra fingers',
      project: 'summer-festival',
      characters: ['Aiko', 'Ren'],
      type: 'video',
      width: 512,
      height: 768,
      count: 2,
      seed: 1234,
      steps: 3,
      model: 'builtin',
    });
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');
    expect(await tab.isVisible('#error')).toBe(false);
    expect(await tab.getAttribute('#image', 'src')).toMatch(/\/media\//);
    const job = await stack.runtime.records.getJob(jobId);
    expect(job).toMatchObject({ status: 'completed', projectSlug: 'summer-festival', kind: 'video', width: 512, height: 768, count: 2, seed: 1234, steps: 3, model: 'builtin' });
    expect(job!.promptSent).toBe('girl, pink long hair, boy, black hair, red scarf, dancing at the lantern festival');
    expect(job!.negativeSent).toContain('blurry, extra fingers');

    // The recent list draws the finished job from its view: status, preview, two originals to download.
    const entry = tab.locator(`#recent-list li[data-job-id="${jobId}"]`);
    await expect.poll(() => entry.locator('.recent-stage').textContent(), { timeout: 10_000 }).toBe('Done');
    expect(await entry.locator('.recent-prompt').textContent()).toBe('dancing at the lantern festival');
    expect(await entry.locator('.recent-project').textContent()).toBe('summer-festival · video');
    await expect.poll(() => tab.evaluate(`(() => { const i = document.querySelector('li[data-job-id="${jobId}"] .thumb'); return i.complete && i.naturalWidth; })()`)).toBeGreaterThan(0);
    const downloads = entry.locator('a.download');
    expect(await downloads.allTextContents()).toEqual(['Download 1', 'Download 2']);
    const original = await fetch(new URL((await downloads.first().getAttribute('href'))!, stack.baseUrl));
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/webp');
    expect(await entry.locator('.recent-reroll').isVisible()).toBe(true);
    await checkScreenshot(tab, `${SHOTS}/studio-done.png`);

    await entry.locator('.recent-delete').click();
    await expect.poll(() => entry.count(), { timeout: 10_000 }).toBe(0);
    // The job on show is the deleted one: the panel says so too.
    await expect.poll(() => tab.textContent('#stage')).toBe('Done — the image was deleted');
    expect((await stack.runtime.records.listAssets(jobId)).length).toBe(0);
    for (const id of ['#load-error', '#recent-error']) expect(await tab.isVisible(id), (await tab.textContent(id)) ?? '').toBe(false);
    expect(cspErrors).toEqual([]);
    await tab.close();
  });

  test('the switcher decides the project the job lands in; Re-roll in the list starts a new job shown in the panel', { timeout: 90_000 }, async () => {
    const tab = await context.newPage();
    const token = await stack.token('sora', 'creator');
    await openStudio(tab, token);
    await tab.fill('#steps', '2');
    await tab.fill('#prompt', 'a kite over the general square');
    const inGeneral = await submitForm(tab);
    expect(inGeneral.body.project).toBe('general');
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');

    await tab.selectOption('#project', 'summer-festival');
    await tab.fill('#prompt', 'a kite over the festival');
    const inFestival = await submitForm(tab);
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');
    expect((await stack.runtime.records.getJob(inGeneral.jobId))?.projectSlug).toBe('general');
    expect((await stack.runtime.records.getJob(inFestival.jobId))?.projectSlug).toBe('summer-festival');

    // Newest first, each in its project.
    await expect.poll(() => tab.locator('#recent-list li').evaluateAll((items) => items.map((li) => li.getAttribute('data-job-id')))).toEqual([inFestival.jobId, inGeneral.jobId]);
    expect(await tab.locator('#recent-list .recent-project').allTextContents()).toEqual(['summer-festival · image', 'general · image']);

    const rerolled = tab.waitForResponse((response) => response.url().endsWith(`/api/anime/generation/${inGeneral.jobId}/reroll`));
    await tab.locator(`#recent-list li[data-job-id="${inGeneral.jobId}"] .recent-reroll`).click();
    const again = ((await (await rerolled).json()) as { job_id: string }).job_id;
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');
    expect(await stack.runtime.records.getJob(again)).toMatchObject({ status: 'completed', projectSlug: 'general', promptSent: 'a kite over the general square' });
    await expect.poll(() => tab.locator('#recent-list li').first().getAttribute('data-job-id')).toBe(again);

    // Delete in the panel: the job on show loses its files and its entry leaves the list.
    await tab.click('#delete');
    await expect.poll(() => tab.textContent('#stage')).toBe('Done — the image was deleted');
    await expect.poll(() => tab.locator(`#recent-list li[data-job-id="${again}"]`).count()).toBe(0);
    await tab.close();
  });

  test('a reference picture: chosen, uploaded, named by the job with the strength; the result is made from it; a fake picture is refused in words', { timeout: 90_000 }, async () => {
    const tab = await context.newPage();
    await openStudio(tab, await stack.token('nori', 'creator'));
    expect(await tab.isDisabled('#strength')).toBe(true);
    const magenta = await sharp({ create: { width: 320, height: 320, channels: 3, background: { r: 255, g: 0, b: 255 } } }).png().toBuffer();
    await tab.setInputFiles('#reference', { name: 'sketch.png', mimeType: 'image/png', buffer: magenta });
    expect(await tab.isDisabled('#strength')).toBe(false);
    await tab.locator('#strength').fill('1');
    expect(await tab.textContent('#strength-value')).toBe('1');
    await tab.fill('#prompt', 'a girl from my sketch');
    await tab.fill('#steps', '2');
    await tab.selectOption('#aspect', '512x512');

    const uploaded = tab.waitForResponse((response) => response.url().endsWith('/api/uploads'));
    const { body, jobId } = await submitForm(tab);
    const upload = await uploaded;
    expect(upload.status()).toBe(201);
    const assetId = ((await upload.json()) as { asset_id: string }).asset_id;
    expect(body).toMatchObject({ prompt: 'a girl from my sketch', reference_image: assetId, strength: 1 });
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');
    const inputs = await stack.runtime.records.listInputs(jobId);
    expect(inputs.map((i) => [i.uploadId, i.width, i.height])).toEqual([[assetId, 320, 320]]);
    expect((await stack.runtime.records.getJob(jobId))!.referenceStrength).toBe(1);

    // The shown result is made from the picture: at strength 1 it shows through, magenta, in the panel.
    await expect.poll(() => tab.evaluate(`(() => { const i = document.getElementById('image'); return i.complete && i.naturalWidth; })()`)).toBeGreaterThan(0);
    const shot = `${SHOTS}/studio-reference.png`;
    await tab.locator('#image').screenshot({ path: shot });
    const raw = await sharp(shot).removeAlpha().raw().toBuffer();
    let hits = 0;
    for (let i = 0; i < raw.length; i += 3) if (raw[i]! > 200 && raw[i + 1]! < 80 && raw[i + 2]! > 200) hits++;
    expect(hits / (raw.length / 3)).toBeGreaterThan(0.3);
    await checkScreenshot(tab, `${SHOTS}/studio-reference-page.png`);

    // HTML dressed as a PNG: the server's intake refuses it, the page says so, no job is made.
    let generated = 0;
    tab.on('request', (request) => {
      if (request.url().endsWith('/api/anime/generate')) generated++;
    });
    await tab.setInputFiles('#reference', { name: 'not-really.png', mimeType: 'image/png', buffer: Buffer.from('<html><body>hello</body></html>') });
    await tab.click('#go');
    await expect.poll(() => tab.isVisible('#error')).toBe(true);
    expect(await tab.textContent('#error')).toMatch(/only PNG, JPEG and WebP images are accepted$/);
    expect(generated).toBe(0);
    await tab.close();
  });

  test('Variations and Upscale in the recent list each start a linked job that appears in the list', { timeout: 90_000 }, async () => {
    const tab = await context.newPage();
    const token = await stack.token('nao', 'creator');
    await openStudio(tab, token);
    await tab.fill('#steps', '2');
    await tab.fill('#prompt', 'a paper boat on a river');
    const parent = await submitForm(tab);
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');
    const entry = tab.locator(`#recent-list li[data-job-id="${parent.jobId}"]`);
    await expect.poll(() => entry.locator('.recent-family button').allTextContents()).toEqual(['Variations', 'Upscale']);

    const varied = tab.waitForResponse((response) => response.url().endsWith(`/api/anime/generation/${parent.jobId}/variations`));
    await entry.locator('.recent-variations').click();
    const variationId = ((await (await varied).json()) as { job_id: string }).job_id;
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');
    await expect.poll(() => tab.locator('#recent-list li').first().getAttribute('data-job-id')).toBe(variationId);
    expect(await stack.runtime.records.getJob(variationId)).toMatchObject({ status: 'completed', parent: { jobId: parent.jobId, output: 0, relation: 'variation' } });

    const upscaled = tab.waitForResponse((response) => response.url().endsWith(`/api/anime/generation/${parent.jobId}/upscale`));
    await tab.locator(`#recent-list li[data-job-id="${parent.jobId}"] .recent-upscale`).click();
    const upscaleId = ((await (await upscaled).json()) as { job_id: string }).job_id;
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');
    await expect.poll(() => tab.locator('#recent-list li').evaluateAll((items) => items.map((li) => li.getAttribute('data-job-id')))).toEqual([upscaleId, variationId, parent.jobId]);
    expect(await stack.runtime.records.getJob(upscaleId)).toMatchObject({ status: 'completed', width: 1024, height: 1024, parent: { jobId: parent.jobId, relation: 'upscale' } });
    const upscaleEntry = tab.locator(`#recent-list li[data-job-id="${upscaleId}"]`);
    await expect.poll(() => upscaleEntry.locator('.recent-stage').textContent()).toBe('Done');
    expect(await upscaleEntry.locator('.thumb').isVisible()).toBe(true);
    await checkScreenshot(tab, `${SHOTS}/studio-family.png`);
    await tab.close();
  });

  test('a 503 while opening the job\'s stream (the API\'s "briefly unavailable") is waited out, not shown as a failure', { timeout: 90_000 }, async () => {
    const tab = await context.newPage();
    await openStudio(tab, await stack.token('hana', 'creator'));
    // The answer the server gives while Postgres is away (src/web/app.ts), once, at the network edge.
    let refused = 0;
    await tab.route('**/api/anime/generation/*/events', async (route) => {
      if (refused++ > 0) return route.continue();
      await route.fulfill({ status: 503, headers: { 'Retry-After': '1', 'Content-Type': 'application/json' }, body: JSON.stringify({ error: { code: 'unavailable', message: 'the service is briefly unavailable; try again in a few seconds' } }) });
    });
    const seen = tab.evaluate(`new Promise((resolve) => {
      const stage = document.getElementById('stage');
      new MutationObserver(() => { if (stage.textContent === 'Reconnecting…') resolve(true); }).observe(stage, { childList: true });
    })`);
    await tab.fill('#steps', '2');
    await submitForm(tab);
    expect(await seen).toBe(true);
    await expect.poll(() => stageOrError(tab), { timeout: 60_000, interval: 100 }).toBe('Done');
    expect(refused).toBe(2);
    await tab.close();
  });

  test('a bad token says so in words and changes nothing; at a phone\'s width nothing scrolls sideways', { timeout: 60_000 }, async () => {
    const tab = await context.newPage();
    await tab.goto(`${stack.baseUrl}/#token=not-a-token`);
    await expect.poll(() => tab.isVisible('#load-error')).toBe(true);
    expect(await tab.textContent('#load-error')).toMatch(/^could not load the choices: /);
    expect(await tab.textContent('#load-error')).not.toMatch(/at |\/work\/|SELECT/);
    await tab.close();

    const phone = await browser.newContext({ viewport: { width: 360, height: 800 }, deviceScaleFactor: 2, isMobile: true });
    const small = await phone.newPage();
    await openStudio(small, yuki);
    expect(await small.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    const form = (await small.locator('#generate').boundingBox())!;
    expect(form.x + form.width).toBeLessThanOrEqual(360);
    await checkScreenshot(small, `${SHOTS}/studio-phone.png`);
    // Every control has a label a screen reader reads.
    const unlabelled = await small.evaluate(`[...document.querySelectorAll('#generate input, #generate select, #generate textarea')]
      .filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label')).map((c) => c.id || c.name)`);
    expect(unlabelled).toEqual([]);
    expect(cspErrors).toEqual([]);
    await phone.close();
  });
});
