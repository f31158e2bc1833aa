import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildWeb } from '../../src/app/web-part.js';
import { followSse } from '../support/sse-stream.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../support/browser.js';

warnIfNoChromium('try page reconnect test');

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  // Slow steps, so the job is still running when the web server restarts under the page.
  stack = await startTestStack({ worker: true, env: { BUILTIN_STEP_DELAY_MS: '150' } });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe.skipIf(!haveChromium)('the try page draws the job message the server renders', () => {
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

  test('a place in line arriving after the job started never takes the page back to "Queued"', { timeout: 90_000 }, async () => {
    const token = await stack.token('late-place-user');
    const tab = await browser.newPage();
    await tab.goto(`${stack.baseUrl}/#token=${token}`);
    // Every text the status line ever holds: each one is a new text node, even several within one task.
    await tab.evaluate(`window.seen = [];
      new MutationObserver((records) => {
        for (const record of records) for (const node of record.addedNodes) window.seen.push(node.textContent);
      }).observe(document.getElementById('stage'), { childList: true });`);
    await tab.fill('#steps', '30');
    const created = tab.waitForResponse((response) => response.url().endsWith('/api/anime/generate'));
    await tab.click('#go');
    const jobId = ((await (await created).json()) as { job_id: string }).job_id;
    const stage = () => tab.textContent('#stage');
    await expect.poll(stage, { timeout: 30_000, interval: 50 }).toMatch(/^Step \d+/);

    // A second follower of the job shows that the late place reached the server while the job ran.
    const stream = followSse(await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/events`, { headers: { authorization: `Bearer ${token}` } }));
    await stream.next((e) => e.event === 'view');
    await stack.runtime.events.publish({ type: 'queued', jobId, at: Date.now(), position: 3 });
    await expect.poll(stage, { timeout: 60_000, interval: 100 }).toBe('Done');
    await stream.ended;

    const late = stream.events.findIndex((e) => e.event === 'queued' && e.data.position === 3);
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThan(stream.events.findIndex((e) => e.event === 'completed'));
    expect(stream.events.filter((e) => e.event === 'view').map((e) => e.data.stage)).not.toContain('queued');
    const seen = (await tab.evaluate('window.seen')) as string[];
    const firstStep = seen.findIndex((text) => text.startsWith('Step '));
    expect(firstStep).toBeGreaterThan(-1);
    expect(seen.slice(firstStep).filter((text) => text.startsWith('Queued'))).toEqual([]);
    expect(seen.at(-1)).toBe('Done');
    expect(await tab.isVisible('#error')).toBe(false);
    await tab.close();
  });

  test('the page offers the buttons the view allows: Cancel while it runs, then Re-roll; Delete once done', { timeout: 90_000 }, async () => {
    const tab = await browser.newPage();
    await tab.goto(`${stack.baseUrl}/#token=${await stack.token('buttons-user')}`);
    await tab.fill('#steps', '20');
    await tab.click('#go');
    const stage = () => tab.textContent('#stage');
    const offered = async () => (await Promise.all(['cancel', 'reroll', 'delete'].map(async (id) => ((await tab.isVisible(`#${id}`)) ? id : '')))).filter(Boolean);
    await expect.poll(stage, { timeout: 30_000, interval: 50 }).toMatch(/^Step \d+/);
    expect(await offered()).toEqual(['cancel']);

    await tab.click('#cancel');
    await expect.poll(stage, { timeout: 10_000, interval: 50 }).toBe('Cancelled');
    expect(await offered()).toEqual(['reroll']);

    // Re-roll starts a new job from the same request and follows it to the end.
    await tab.click('#reroll');
    await expect.poll(stage, { timeout: 60_000, interval: 100 }).toBe('Done');
    expect(await offered()).toEqual(['reroll', 'delete']);
    // The picture is drawn once its bytes have loaded, a moment after the text says Done.
    await expect.poll(() => tab.isVisible('#image'), { timeout: 10_000, interval: 50 }).toBe(true);

    await tab.click('#delete');
    await expect.poll(stage, { timeout: 10_000, interval: 50 }).toBe('Done — the image was deleted');
    expect(await offered()).toEqual(['reroll']);
    expect(await tab.isVisible('#result')).toBe(false);
    expect(await tab.isVisible('#error')).toBe(false);
    await tab.close();
  });
});
