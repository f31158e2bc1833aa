import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, driven headless by playwright-core (.ci/run installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** Says once, at load, why a browser test will be skipped on this machine. */
export function warnIfNoChromium(test: string): void {
  if (!haveChromium) console.warn(`${test} skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

/** The one way every browser test starts Chromium: headless, no sandbox (containers), no GPU, no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}
