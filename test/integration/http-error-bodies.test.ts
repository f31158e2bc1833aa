import { connect } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets } from '../../src/db/schema.js';
import { api } from '../support/api.js';
import { createStubGenerator } from '../support/stub-generator.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { generateAndWait } from './projects-support.js';

let stack: TestStack;
let creator: string;
let admin: string;
let mod: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: { generator: await createStubGenerator() } });
  [creator, admin, mod] = await Promise.all([stack.token('carl', 'creator'), stack.token('ada', 'admin'), stack.token('mika', 'moderator')]);
});
afterAll(async () => {
  await stack.close();
});

describe('media', () => {
  test('a link whose file is gone from disk answers 404, not 500, and is not cached', async () => {
    const done = await generateAndWait(stack, creator, { prompt: 'a lantern' });
    const url = done.images[0].url as string;
    expect((await fetch(url)).status).toBe(200);
    const rows = await stack.database.db.select({ key: assets.storageKey }).from(assets).where(eq(assets.jobId, done.job_id));
    for (const row of rows) await stack.runtime.media.remove(row.key);
    const response = await fetch(url);
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-control') ?? '').not.toContain('immutable');
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'no such file, or the link has expired' } });
  });
});

/** A raw request over a socket, for what fetch will not send (malformed HTTP, bad escapes). */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(stack.baseUrl);
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let out = '';
    socket.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

const MARK = 'zq7marker';

describe("Fastify's own errors in the app's format, echoing nothing", () => {
  const cases: Array<[string, () => Promise<{ status: number; text: string }>, number]> = [
    ['bad JSON', () => send('POST', '/api/projects', `{"name": "${MARK}",`), 400],
    ['an empty JSON body', () => send('POST', '/api/projects', ''), 400],
    ['an unsupported media type', () => send('POST', '/api/projects', `<name>${MARK}</name>`, 'application/xml'), 415],
    ['a route that does not exist', () => send('GET', `/api/${MARK}/nothing`), 404],
    ['a method the route does not take', () => send('PUT', `/healthz?${MARK}=1`), 404],
    ['a body over the limit', () => send('POST', '/api/projects', JSON.stringify({ name: MARK.repeat(20_000) })), 413],
    ['a broken percent escape in the path', () => raw(`GET /api/${MARK}%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 400],
    ['an over-long path parameter', () => raw(`GET /api/projects/${MARK.repeat(30)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 414],
    ['malformed HTTP', () => raw(`GET /${MARK} HTTP/1.1\r\nHost: x\r\nContent-Length: ${MARK}\r\n\r\n`), 400],
  ];

  async function send(method: string, path: string, body?: string, type = 'application/json') {
    const response = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${mod}`, ...(body === undefined ? {} : { 'content-type': type }) },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, text: await response.text() };
  }

  async function raw(request: string) {
    const response = await rawRequest(request);
    const [head = '', ...rest] = response.split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), text: rest.join('\r\n\r\n') };
  }

  test.each(cases)('%s', async (_name, run, status) => {
    const { status: got, text } = await run();
    expect(got, text).toBe(status);
    expect(text).not.toContain(MARK);
    const body = JSON.parse(text) as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    expect(body.error.message).not.toMatch(/FST_|Bad Request|Not Found|statusCode/);
  });
});

describe('validation messages in the API’s own words', () => {
  const cases: Array<[string, string, string, () => string, unknown, string]> = [
    ['width as text', 'POST', '/api/anime/generate', () => creator, { prompt: 'x', width: '512' }, 'width must be a number'],
    ['a missing prompt', 'POST', '/api/anime/generate', () => creator, { width: 512 }, 'prompt is required'],
    ['a negative seed', 'POST', '/api/anime/generate', () => creator, { prompt: 'x', seed: -1 }, 'seed must be a whole number from 0 to 4294967295'],
    ['a fractional seed', 'POST', '/api/anime/generate', () => creator, { prompt: 'x', seed: 1.5 }, 'seed must be a whole number from 0 to 4294967295'],
    ['a seed as text', 'POST', '/api/anime/generate', () => creator, { prompt: 'x', seed: '7' }, 'seed must be a whole number from 0 to 4294967295'],
    ['a count of 0', 'POST', '/api/anime/generate', () => creator, { prompt: 'x', count: 0 }, 'count must be a whole number from 1 to 4'],
    ['a count as text', 'POST', '/api/anime/generate', () => creator, { prompt: 'x', count: 'two' }, 'count must be a whole number from 1 to 4'],
    ['a type that is not a kind', 'POST', '/api/anime/generate', () => creator, { prompt: 'x', type: true }, 'type must be image or video'],
    ['characters as text', 'POST', '/api/anime/generate', () => creator, { prompt: 'x', characters: 'Aiko' }, 'characters must be a list of character names'],
    ['a negative reference seed', 'POST', '/api/characters', () => mod, { name: 'Ren', prompt: 'x', reference_seed: -5 }, 'reference_seed must be a whole number from 0 to 4294967295'],
    ['a lora weight as text', 'POST', '/api/characters', () => mod, { name: 'Ren', prompt: 'x', lora: { name: 'a.safetensors', weight: '1' } }, 'lora.weight must be a number'],
    ['a burst below 0', 'PATCH', '/api/admin/settings', () => admin, { limits: { burst: -1 } }, 'limits.burst must be at least 0'],
    ['a rate as text', 'PATCH', '/api/admin/settings', () => admin, { limits: { ratePerMinute: 'many' } }, 'limits.ratePerMinute must be a number'],
  ];

  test.each(cases)('%s', async (_name, method, path, token, body, message) => {
    const result = await api(stack, method, path, token(), body);
    expect(result.status).toBe(400);
    expect(result.json.error.message).toBe(message);
    expect(result.json.error.message).not.toMatch(/Too small|Too big|expected|Invalid/);
  });
});
