import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PG_BASE, REDIS_URL } from '../support/env.js';
import { expectNoLeak } from '../support/leaks.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { startProxyFor, type TcpProxy } from '../support/tcp-proxy.js';

// During an outage every request answers 503 (not a hang, not a 500). The code's own bounds keep
// that under 2 s (REQUEST_COMMAND_TIMEOUT_MS, CONNECT_TIMEOUT_MS, the event bus's subscribe wait);
// this deadline only catches a hang, well above them so a loaded machine cannot fail the test.
const ANSWER_DEADLINE_MS = 5_000;

let postgres: TcpProxy;
let redis: TcpProxy;
let stack: TestStack;
let token: string;
beforeAll(async () => {
  [postgres, redis] = await Promise.all([startProxyFor(PG_BASE, 5432), startProxyFor(REDIS_URL, 6379)]);
  stack = await startTestStack({ worker: false, proxies: { postgres, redis }, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '100', MAX_PENDING_PER_USER: '100' } });
  token = await stack.token('outage-user');
});
afterAll(async () => {
  await Promise.all([postgres?.restore(), redis?.restore()]);
  await stack?.close();
  await Promise.all([postgres?.close(), redis?.close()]);
});

async function call(method: string, path: string, bearer: string | undefined, body?: unknown) {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method,
    signal: AbortSignal.timeout(ANSWER_DEADLINE_MS),
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expectNoLeak(text, [stack.env.APP_SECRET!]);
  return { status: response.status, headers: response.headers, json: (text ? JSON.parse(text) : {}) as { error?: { code?: string }; checks?: unknown } };
}

function expectUnavailable(response: Awaited<ReturnType<typeof call>>) {
  expect(response.status).toBe(503);
  expect(response.json.error?.code).toBe('unavailable');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

/** Polls until the request answers `status`, for up to 15 s: reconnecting is the clients' own job. */
async function waitForStatus(method: string, path: string, bearer: string | undefined, status: number, body?: unknown) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await call(method, path, bearer, body).catch(() => undefined);
    if (response?.status === status) return response;
    if (Date.now() > deadline) throw new Error(`${method} ${path} still answers ${response?.status ?? 'nothing'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('outages of Postgres or Redis answer 503 at once and heal by themselves', () => {
  test('Redis down: requests that need it answer 503 with Retry-After, /readyz names it; after it returns, 202 again', async () => {
    const before = await call('POST', '/api/anime/generate', token, { prompt: 'before the outage' });
    expect(before.status).toBe(202);
    const eventsPath = `/api/anime/generation/${(before.json as { job_id: string }).job_id}/events`;
    await redis.cut();
    try {
      expectUnavailable(await call('POST', '/api/anime/generate', token, { prompt: 'during the outage' }));
      // Live progress needs the event bus: a stream that could never say anything is refused too.
      expectUnavailable(await call('GET', eventsPath, token));
      // A bad token cannot be counted, so it is not answered as if it were.
      expectUnavailable(await call('GET', '/api/anime/jobs', 'bad.token.here'));
      const ready = await call('GET', '/readyz', undefined);
      expect(ready.status).toBe(503);
      expect(ready.json.checks).toEqual({ postgres: 'ok', redis: 'failing' });
    } finally {
      await redis.restore();
    }
    await waitForStatus('GET', '/readyz', undefined, 200);
    expect((await call('POST', '/api/anime/generate', token, { prompt: 'after the outage' })).status).toBe(202);
    expect((await call('GET', '/api/anime/jobs', 'bad.token.here')).status).toBe(401);
    const stream = new AbortController();
    const live = await fetch(`${stack.baseUrl}${eventsPath}`, { headers: { authorization: `Bearer ${token}` }, signal: stream.signal });
    expect(live.status).toBe(200);
    stream.abort();
  });

  test('Postgres down: requests answer 503 with Retry-After (not 500), /readyz names it; after it returns, 200 again', async () => {
    expect((await call('GET', '/api/anime/jobs', token)).status).toBe(200);
    await postgres.cut();
    try {
      expectUnavailable(await call('GET', '/api/anime/jobs', token));
      expectUnavailable(await call('POST', '/api/anime/generate', token, { prompt: 'during the outage' }));
      const ready = await call('GET', '/readyz', undefined);
      expect(ready.status).toBe(503);
      expect(ready.json.checks).toEqual({ postgres: 'failing', redis: 'ok' });
    } finally {
      await postgres.restore();
    }
    await waitForStatus('GET', '/api/anime/jobs', token, 200);
    expect((await call('POST', '/api/anime/generate', token, { prompt: 'after the outage' })).status).toBe(202);
  });
});
