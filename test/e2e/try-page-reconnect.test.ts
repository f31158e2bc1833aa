import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildWeb } from '../../src/app/web-part.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`try page reconnect test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  // Slow steps, so the job is still running when the web server restarts under the page.
  stack = await startTestStack({ worker: true, env: { BUILTIN_STEP_DELAY_MS: '150' } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe.skipIf(!haveChromium)('the try page across a web server restart', () => {
  test('the stream ends with "reconnect"; the page follows the job on the new server to the end', { timeout: 90_000 }, async () => {
    const tab = await browser.newPage();
    await tab.goto(`${stack.baseUrl}/#token=${await stack.token('reconnect-user')}`);
    await tab.fill('#steps', '40');
    await tab.click('#go');
    const stage = () => tab.textContent('#stage');
    await expect.poll(stage, { timeout: 30_000, interval: 50 }).toMatch(/^Step \d+/);

    // What a deploy does: the old server ends its streams with word to reconnect, a new one starts.
    await stack.web!.close();
    await expect.poll(stage, { timeout: 10_000, interval: 20 }).toBe('Reconnecting…');
    stack.web = await buildWeb(stack.runtime);
    await stack.web.listen({ host: '127.0.0.1', port: Number(stack.env.PORT) });

    await expect.poll(stage, { timeout: 60_000, interval: 100 }).toBe('Done');
    expect(await tab.isVisible('#error')).toBe(false);
    expect(await tab.getAttribute('#image', 'src')).toMatch(/\/media\//);
    await tab.close();
  });
});
