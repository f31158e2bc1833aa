import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, env: { CORS_ORIGINS: 'https://studio.example' } });
});
afterAll(async () => {
  await stack.close();
});

test('CORS answers only the configured origin', async () => {
  const preflight = (origin: string) =>
    fetch(`${stack.baseUrl}/api/anime/generate`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
  const allowed = await preflight('https://studio.example');
  expect(allowed.headers.get('access-control-allow-origin')).toBe('https://studio.example');
  const refused = await preflight('https://evil.example');
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
});
