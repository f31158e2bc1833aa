import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { expectNoLeak } from '../support/leaks.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let token: string;
beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  token = await stack.token('tester', 'creator');
});
afterAll(async () => {
  await stack.close();
});

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.baseUrl}/api/anime/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  expectNoLeak(text, [stack.env.APP_SECRET!]);
  return { status: response.status, body: JSON.parse(text) as { error?: { code: string; message: string; field?: string } } };
}

const cases: Array<[string, unknown, string]> = [
  ['an empty prompt', { prompt: '   ' }, 'prompt'],
  ['a missing prompt', { width: 512 }, 'prompt'],
  ['a prompt over the limit', { prompt: 'a'.repeat(1001) }, 'prompt'],
  ['control characters', { prompt: 'hello\u0007world' }, 'prompt'],
  ['a bidi override', { prompt: 'abc\u202Edef' }, 'prompt'],
  ['a width below 64', { prompt: 'x', width: 32 }, 'width'],
  ['a height above 2048', { prompt: 'x', height: 4096 }, 'height'],
  ['a width not a multiple of 8', { prompt: 'x', width: 100 }, 'width'],
  ['a fractional height', { prompt: 'x', height: 512.5 }, 'height'],
  ['steps of 0', { prompt: 'x', steps: 0 }, 'steps'],
  ['steps over 100', { prompt: 'x', steps: 101 }, 'steps'],
  ['a seed as text', { prompt: 'x', seed: 'abc' }, 'seed'],
  ['a negative seed', { prompt: 'x', seed: -1 }, 'seed'],
  ['an unknown field', { prompt: 'x', sampler: 'euler' }, 'sampler'],
  ['a bad project slug', { prompt: 'x', project: '../etc' }, 'project'],
  ['a prompt that is not text', { prompt: 42 }, 'prompt'],
  ['an unknown type', { prompt: 'x', type: 'audio' }, 'type'],
  ['a negative prompt with control characters', { prompt: 'x', negative_prompt: 'a\u0000b' }, 'negative_prompt'],
];

describe('bad input gets a clear 400 naming the field and changes nothing', () => {
  test.each(cases)('%s', async (_name, body, field) => {
    const before = await stack.database.db.$count(jobs);
    const result = await post(JSON.stringify(body));
    expect(result.status).toBe(400);
    expect(result.body.error?.code).toBe('invalid_input');
    expect(result.body.error?.field).toBe(field);
    expect(result.body.error?.message).toMatch(new RegExp(`^${field}`));
    expect(await stack.database.db.$count(jobs)).toBe(before);
  });

  test('malformed JSON', async () => {
    const result = await post('{"prompt": "x",');
    expect(result.status).toBe(400);
    expect(result.body.error?.message).toBe('the body is not valid JSON');
  });

  test('a prototype-poisoning key is refused before parsing', async () => {
    const result = await post('{"prompt":"x","__proto__":{"admin":true}}');
    expect(result.status).toBe(400);
  });

  test('a JSON array or string body', async () => {
    expect((await post('[1,2]')).status).toBe(400);
    expect((await post('"prompt"')).status).toBe(400);
  });

  test('an oversized body is refused with 413', async () => {
    const result = await post(JSON.stringify({ prompt: 'x'.repeat(200_000) }));
    expect(result.status).toBe(413);
  });

  test('a body that is not JSON is refused with 415', async () => {
    const result = await post('prompt=x', { 'content-type': 'text/plain' });
    expect(result.status).toBe(415);
  });
});

describe('authentication', () => {
  test('no token, a forged token, and a revoked token get 401 without detail', async () => {
    const url = `${stack.baseUrl}/api/anime/generate`;
    const noToken = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(noToken.status).toBe(401);
    const [header, payload] = token.split('.');
    const forged = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${header}.${payload}.AAAA` } });
    expect(forged.status).toBe(401);
    const issued = await stack.runtime.tokens.issue({ subject: 'leaver', role: 'creator', ttlSeconds: 60, issuedBy: 'test' });
    await stack.runtime.tokens.revoke(issued.claims.tokenId);
    const revoked = await fetch(url, { method: 'POST', body: '{"prompt":"x"}', headers: { 'content-type': 'application/json', authorization: `Bearer ${issued.token}` } });
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { message: string } }).error.message).toBe('the token has been revoked');
  });
});

describe('unknown jobs and routes', () => {
  test.each(['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' OR '1'='1", '..%2F..%2Fetc%2Fpasswd'])('job id %s -> 404', async (id) => {
    const response = await fetch(`${stack.baseUrl}/api/anime/generation/${id}/status`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    expect(response.status).toBe(404);
    expectNoLeak(text);
  });

  test('an unknown route -> 404 JSON', async () => {
    const response = await fetch(`${stack.baseUrl}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'no such route' } });
  });

  test('a media link with a bad signature -> 404', async () => {
    const response = await fetch(`${stack.baseUrl}/media/00000000-0000-4000-8000-000000000000?exp=9999999999&sig=${'a'.repeat(43)}`);
    expect(response.status).toBe(404);
  });
});

describe('security headers and CORS', () => {
  test('every response carries a strict CSP and no CORS grant by default', async () => {
    const response = await fetch(`${stack.baseUrl}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('readyz reports Postgres and Redis', async () => {
    const response = await fetch(`${stack.baseUrl}/readyz`);
    expect(await response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });
});
