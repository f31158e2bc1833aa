import { isTerminal, type JobEvent } from '../../src/core/events.js';
import { expect } from 'vitest';
import { api } from '../support/api.js';
import type { TestStack } from '../support/stack.js';

/** Submits and waits for the job's end event (subscribed before submitting); returns the final status body. */
export async function generateAndWait(stack: TestStack, token: string, body: Record<string, unknown>) {
  const early: JobEvent[] = [];
  let settle: (event: JobEvent) => void = (event) => early.push(event);
  const unsubscribe = await stack.runtime.events.subscribe((event) => {
    if (isTerminal(event)) settle(event);
  });
  try {
    const created = await api(stack, 'POST', '/api/anime/generate', token, { width: 64, height: 64, steps: 1, ...body });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    const id = created.json.job_id as string;
    const ended = await new Promise<JobEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`job ${id} did not finish`)), 20_000);
      settle = (event) => {
        if (event.jobId !== id) return;
        clearTimeout(timer);
        resolve(event);
      };
      for (const event of early.splice(0)) settle(event);
    });
    if (ended.type !== 'completed') throw new Error(`job ${id} ${ended.type}`);
    return (await api(stack, 'GET', `/api/anime/generation/${id}/status`, token)).json;
  } finally {
    await unsubscribe();
  }
}

/** Fetches a page without following redirects, with an optional cookie. */
export async function page(url: string, cookie?: string) {
  const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Opens a signed gallery link as a browser would: trade the pass for the cookie, then load the page. */
export async function openLink(url: string) {
  const first = await page(url);
  expect(first.status).toBe(303);
  const setCookie = first.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const target = new URL(first.headers.get('location')!, url).toString();
  return { setCookie, cookie, target, page: await page(target, cookie) };
}
