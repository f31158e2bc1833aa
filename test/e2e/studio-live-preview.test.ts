import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';

/**
 * Issue 14 item 4 on the web page, in headless Chromium: while the built-in renderer paints, the
 * job card shows the live preview (a picture that loads), and the finished image replaces it.
 * The render is paced (300 ms a step) so the page has a preview to show; the test only polls the DOM.
 */
warnIfNoChromium('studio live preview test');

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  stack = await startTestStack({ worker: true, env: { BUILTIN_STEP_DELAY_MS: '300', PREVIEW_INTERVAL_MS: '0' } });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

test.skipIf(!haveChromium)('the job card shows the picture so far while it renders, then the result without it', { timeout: 90_000 }, async () => {
  const tab = await browser.newPage();
  const previews: string[] = [];
  tab.on('response', (response) => {
    if (response.url().includes('/media/preview/')) previews.push(`${response.status()} ${response.headers()['content-type'] ?? ''}`);
  });
  await tab.goto(`${stack.baseUrl}/#token=${await stack.token('hina', 'creator')}`);
  await expect.poll(() => tab.locator('#model option').count()).toBeGreaterThan(0);
  await tab.fill('#prompt', 'a lantern festival, slowly');
  await tab.fill('#steps', '20');
  await tab.click('#go');

  // Shown and loaded: a decoded picture, fetched from its signed preview link.
  const loadedPreview = `(() => { const p = document.getElementById('live-preview'); return !p.hidden && p.complete && p.naturalWidth > 0 ? p.getAttribute('src') : ''; })()`;
  await expect.poll(() => tab.evaluate(loadedPreview), { timeout: 60_000, interval: 50 }).toMatch(/\/media\/preview\/[0-9a-f-]{36}\/\d+\?exp=\d+&sig=/);
  expect(previews.some((p) => p.startsWith('200 image/webp'))).toBe(true);

  await expect.poll(() => tab.textContent('#stage'), { timeout: 60_000, interval: 100 }).toBe('Done');
  await expect.poll(() => tab.evaluate(`document.getElementById('image').naturalWidth`)).toBeGreaterThan(0);
  expect(await tab.isHidden('#live-preview')).toBe(true);
  expect(await tab.getAttribute('#live-preview', 'src')).toBeNull();
  await tab.close();
});
