import { expectNoLeak } from './leaks.js';
import type { TestStack } from './stack.js';

/** A JSON API call that also checks the body leaks nothing. */
export async function api(stack: TestStack, method: string, path: string, token: string | undefined, body?: unknown) {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expectNoLeak(text, [stack.env.APP_SECRET!]);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, any>) : {} };
}
