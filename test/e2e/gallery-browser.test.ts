import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import { api } from '../support/api.js';
import { generateAndWait } from '../integration/projects-support.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';

const SHOTS = 'test-results';
warnIfNoChromium('gallery browser test');

let stack: TestStack;
let browser: Browser;
let replyLink = '';
let hiddenUrl = '';
const cspErrors: string[] = [];

/** As a chat adapter would: identify the actor, then put galleryLinks.url(viewer, project) in the reply. */
const alice: Actor = { platform: 'web', spaceExternalId: 'web', userExternalId: 'alice', displayName: 'Alice', platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' };

beforeAll(async () => {
  if (!haveChromium) return;
  stack = await startTestStack({ worker: true, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000', MAX_PENDING_PER_USER: '50' } });
  const mod = await stack.token('mika', 'moderator');
  await api(stack, 'POST', '/api/projects', mod, { name: 'Summer Festival', description: 'Key visuals for the festival arc' });
  await api(stack, 'POST', '/api/characters', mod, { name: 'Aiko', prompt: 'girl, pink long hair, aqua eyes, white kimono' });
  const prompts = [
    { prompt: 'at the beach at sunset', characters: ['Aiko'] },
    { prompt: 'a dragon over snowy mountains' },
    { prompt: 'a cat on a rooftop in the city at night' },
    { prompt: 'under cherry blossoms in spring', characters: ['Aiko'] },
    { prompt: 'a robot in the rain' },
    { prompt: 'a boy with black hair in a forest' },
  ];
  for (const body of prompts) await generateAndWait(stack, mod, { ...body, project: 'summer-festival', width: 256, height: 256, steps: 4 });
  const olga = await stack.token('olga', 'moderator', 'rival');
  await api(stack, 'POST', '/api/projects', olga, { name: 'Top Secret', visibility: 'private' });
  await generateAndWait(stack, olga, { prompt: 'a secret robot', project: 'top-secret' });
  const rivalLink = new URL((await api(stack, 'POST', '/api/gallery-link', olga)).json.url);
  hiddenUrl = `${rivalLink.origin}${rivalLink.pathname}/p/top-secret`;

  const viewer = await stack.runtime.service.identify(alice);
  replyLink = stack.runtime.galleryLinks.url(viewer, 'summer-festival');
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe.skipIf(!haveChromium)('gallery in a real browser', () => {
  test('reply link -> thumbnails -> search -> image page; another space\'s private project is refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const tab = await context.newPage();
    tab.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });

    await tab.goto(replyLink);
    expect(tab.url()).not.toContain('pass=');
    await expect.poll(() => tab.locator('.tile img').count()).toBe(6);
    await tab.locator('.tile img').last().scrollIntoViewIfNeeded();
    // Browser-side code as strings: the test project has no DOM types.
    await expect.poll(() => tab.evaluate("Array.from(document.querySelectorAll('.tile img')).filter((i) => i.complete && i.naturalWidth > 0).length")).toBe(6);
    expect(await tab.locator('.tile img').first().getAttribute('loading')).toBe('lazy');
    await tab.evaluate('window.scrollTo(0, 0)');
    await tab.screenshot({ path: `${SHOTS}/gallery-project.png`, fullPage: true });

    await tab.fill('.quick-search input[name=q]', 'dragon');
    await tab.press('.quick-search input[name=q]', 'Enter');
    await tab.waitForURL(/\/search\?q=dragon/);
    await expect.poll(() => tab.locator('.tile').count()).toBe(1);
    await tab.selectOption('select[name=character]', { label: 'Aiko' });
    await tab.fill('.filters input[name=q]', '');
    await tab.click('.filters button[type=submit]');
    await expect.poll(() => tab.locator('.tile').count()).toBe(2);
    await tab.screenshot({ path: `${SHOTS}/gallery-search.png`, fullPage: true });

    await tab.locator('.tile a').first().click();
    await tab.waitForURL(/\/i\/[0-9a-f-]{36}$/);
    await expect.poll(() => tab.locator('.recipe dd.prompt').first().textContent()).toContain('pink long hair');
    expect(await tab.locator('.recipe').textContent()).toContain('Aiko');
    const files = await tab.locator('.files a').allTextContents();
    expect(files.some((f) => f.startsWith('Original (PNG'))).toBe(true);
    expect(files.some((f) => f.startsWith('WebP'))).toBe(true);
    await expect.poll(() => tab.evaluate("document.querySelector('.outputs img').naturalWidth")).toBe(256);
    await tab.screenshot({ path: `${SHOTS}/gallery-image.png`, fullPage: true });

    const refused = await tab.goto(hiddenUrl);
    expect(refused?.status()).toBe(404);
    expect(await tab.locator('h1').textContent()).toBe('Not found');
    expect(await tab.content()).not.toContain('secret robot');
    await tab.screenshot({ path: `${SHOTS}/gallery-refused.png` });

    // A phone: the grid collapses to two columns and nothing scrolls sideways.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    const small = await phone.newPage();
    await small.goto(stack.runtime.galleryLinks.url(await stack.runtime.service.identify(alice), 'summer-festival'));
    await expect.poll(() => small.locator('.tile img').count()).toBe(6);
    expect(await small.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await small.screenshot({ path: `${SHOTS}/gallery-phone.png` });

    expect(cspErrors).toEqual([]);
    await phone.close();
    await context.close();
  }, 60_000);
});
