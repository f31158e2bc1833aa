import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import { startWorker } from '../../src/app/worker-part.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/shared/logger.js';
import type { RunningWorker } from '../../src/worker/generate-worker.js';
import { FakeComfyUi } from '../fakes/comfyui/server.js';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';

const SHOTS = 'test-results';
warnIfNoChromium('dashboard browser test');

let stack: TestStack;
let fakeA: FakeComfyUi;
let fakeB: FakeComfyUi;
let runtimeB: Runtime;
let workerB: RunningWorker;
let browser: Browser;

/**
 * A farm of two worker processes (here two in-process workers, each with its own runtime and
 * config) each serving its own named ComfyUI (two fakes), sharing Postgres and Redis.
 */
beforeAll(async () => {
  if (!haveChromium) return;
  [fakeA, fakeB] = await Promise.all([FakeComfyUi.start({ stepDelayMs: 20 }), FakeComfyUi.start({ stepDelayMs: 20 })]);
  stack = await startTestStack({ env: { COMFYUI_URLS: `gpu-a=${fakeA.url}`, RATE_LIMIT_BURST: '100', MAX_PENDING_PER_USER: '20', BACKEND_CHECK_INTERVAL_MS: '1000' } });
  await stack.startWorker();
  runtimeB = await createRuntime(loadConfig({ ...stack.env, COMFYUI_URLS: `gpu-b=${fakeB.url}` }), createLogger({ level: 'silent', secrets: [] }));
  workerB = await startWorker(runtimeB);
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await workerB?.close();
  await runtimeB?.close();
  await stack?.close();
  await Promise.all([fakeA?.close(), fakeB?.close()]);
});

async function generate(token: string, prompt: string, seed?: number): Promise<string> {
  const { status, json } = await api(stack, 'POST', '/api/anime/generate', token, { prompt, width: 64, height: 64, steps: 3, ...(seed === undefined ? {} : { seed }) });
  expect(status).toBe(202);
  return json.job_id as string;
}

async function statusOf(jobId: string): Promise<string | undefined> {
  return (await stack.database.pool.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [jobId])).rows[0]?.status;
}

async function runningJobs(): Promise<string[]> {
  return (await stack.database.pool.query<{ id: string }>("SELECT id FROM jobs WHERE status = 'running' ORDER BY id")).rows.map((r) => r.id);
}

describe.skipIf(!haveChromium)('farm dashboard in a real browser', () => {
  test('two backends, one job on each, one waiting, the top user; it follows the farm live until both are idle', { timeout: 120_000 }, async () => {
    const [aiko, ben, mod] = await Promise.all([stack.token('aiko'), stack.token('ben'), stack.token('mika', 'moderator')]);
    const nameA = 'gpu-a';
    const nameB = 'gpu-b';

    // Aiko's jobs run to the end first: GPU time in the records, so she is the top user. The
    // quality check renders the first again (black once) and posts the second with a note (black twice).
    const blackOnce = (seed: number) => seed === 4242;
    fakeA.script.blackFor = blackOnce;
    fakeB.script.blackFor = blackOnce;
    const first = await generate(aiko, 'a lighthouse at dusk', 4242);
    await expect.poll(() => statusOf(first), { timeout: 30_000 }).toBe('completed');
    fakeA.script.blackFor = () => true;
    fakeB.script.blackFor = () => true;
    const second = await generate(aiko, 'a lantern at night', 4343);
    await expect.poll(() => statusOf(second), { timeout: 30_000 }).toBe('completed');
    fakeA.script.blackFor = () => false;
    fakeB.script.blackFor = () => false;

    // Then both servers hold their sampling steps: two of Ben's jobs run, one per backend, the third waits.
    fakeA.holdSteps();
    fakeB.holdSteps();
    const bens = [await generate(ben, 'a fox in the snow'), await generate(ben, 'a dragon over the sea'), await generate(ben, 'a robot in the rain')];
    await expect.poll(runningJobs, { timeout: 30_000 }).toHaveLength(2);
    const running = await runningJobs();

    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
    const tab = await context.newPage();
    const cspErrors: string[] = [];
    tab.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    await tab.goto(`${stack.baseUrl}/dashboard#token=${mod}`);
    // The token leaves the address bar once read.
    expect(tab.url()).toBe(`${stack.baseUrl}/dashboard`);

    const rows = tab.locator('#backends tbody tr');
    await expect.poll(() => tab.locator('#backends tbody tr[data-state=busy]').count(), { timeout: 15_000 }).toBe(2);
    expect((await rows.evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { backend: string } }).dataset.backend))).sort()).toEqual([nameA, nameB].sort());
    const shownJobs = (await tab.locator('#backends td.job').allTextContents()).sort();
    expect(shownJobs).toEqual(running);
    expect(running.every((id) => bens.includes(id))).toBe(true);
    expect(await tab.locator('#queued').textContent()).toBe('1');
    expect(await tab.locator('#running').textContent()).toBe('2');
    expect(await tab.locator('#oldest').textContent()).toMatch(/^\d+(\.\d)? s$/);
    expect(await tab.locator('#signin').isHidden()).toBe(true);
    // Aiko's run took GPU time; Ben's are still running, so they do not count yet.
    expect(await tab.locator('#top-users li').evaluateAll((items) => items.map((li) => (li as unknown as { dataset: { user: string } }).dataset.user))).toEqual(['aiko']);
    // The hour plot holds Aiko's finished jobs (one minute, or two if the minute turned between them).
    expect(await tab.locator('#plot-finished-hour g.bucket').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-finished'))).reduce((a, b) => a + b, 0))).toBe(2);
    expect(await tab.locator('#plot-wait-hour circle.wait-max').count()).toBeGreaterThanOrEqual(1);
    // Both were rendered again; the second was posted with its quality note.
    for (const window of ['hour', 'day']) {
      expect(await tab.locator(`#quality tr[data-window=${window}] td.rerendered`).textContent()).toBe('2');
      expect(await tab.locator(`#quality tr[data-window=${window}] td.failed`).textContent()).toBe('1');
    }

    const shot = `${SHOTS}/dashboard-busy.png`;
    await tab.screenshot({ path: shot, fullPage: true });
    const image = sharp(shot);
    const meta = await image.metadata();
    expect(meta.width).toBe(1200);
    expect(meta.height).toBeGreaterThanOrEqual(1000);
    // A page that drew something: its pixels are far from one flat colour.
    const stats = await image.stats();
    expect(Math.max(...stats.channels.map((c) => c.stdev))).toBeGreaterThan(20);

    // Live: without a reload the page follows the farm as the held jobs end and the third runs.
    fakeA.releaseAllSteps();
    fakeB.releaseAllSteps();
    for (const jobId of bens) await expect.poll(() => statusOf(jobId), { timeout: 30_000 }).toBe('completed');
    await expect.poll(() => tab.locator('#backends tbody tr[data-state=idle]').count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => tab.locator('#top-users li').count(), { timeout: 15_000 }).toBe(2);
    expect(await tab.locator('#queued').textContent()).toBe('0');
    expect(await tab.locator('#oldest').textContent()).toBe('–');
    expect(await tab.locator('#top-users li strong').allTextContents()).toContain('ben');
    expect(await tab.locator('#backends td.job').allTextContents()).toEqual(['', '']);
    await tab.screenshot({ path: `${SHOTS}/dashboard-idle.png`, fullPage: true });
    expect(cspErrors).toEqual([]);
    await context.close();
  });

  test('a member\'s token is refused on the page with the words, and nothing of the farm is drawn', async () => {
    const creator = await stack.token('cara');
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${stack.baseUrl}/dashboard#token=${creator}`);
    await expect.poll(() => tab.locator('#error').textContent()).toBe('the farm dashboard is for moderators and admins');
    expect(await tab.locator('#farm').isHidden()).toBe(true);
    expect(await tab.locator('#signin').isVisible()).toBe(true);
    await context.close();
  });
});
