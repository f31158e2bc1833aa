import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectNoLeak } from '../support/leaks.js';
import { startTestStack, type TestStack } from '../support/stack.js';

// The tests' requests come from 127.0.0.1: one stack trusts that peer as its reverse proxy, the
// other trusts only 10.0.0.0/8, so the same X-Forwarded-For is believed by one and not the other.
let behindProxy: TestStack;
let otherProxy: TestStack;
beforeAll(async () => {
  [behindProxy, otherProxy] = await Promise.all([
    startTestStack({ worker: false, env: { TRUST_PROXY: '127.0.0.1' } }),
    startTestStack({ worker: false, env: { TRUST_PROXY: '10.0.0.0/8' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([behindProxy?.close(), otherProxy?.close()]);
});

async function signIn(stack: TestStack, forwardedFor: string, token = 'bad.token.here'): Promise<number> {
  const response = await fetch(`${stack.baseUrl}/api/anime/jobs`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': forwardedFor } });
  expectNoLeak(await response.text(), [stack.env.APP_SECRET!]);
  return response.status;
}

async function failuresCounted(stack: TestStack, address: string): Promise<number> {
  return Number((await stack.runtime.redis.get(`${stack.env.QUEUE_PREFIX}:authfail:${address}`)) ?? 0);
}

describe('failed sign-ins are counted per real client address', () => {
  test('behind a trusted proxy, two clients with different X-Forwarded-For are counted separately', async () => {
    const good = await behindProxy.token('neighbour');
    for (let i = 0; i < 20; i++) expect(await signIn(behindProxy, '203.0.113.7')).toBe(401);
    expect(await signIn(behindProxy, '203.0.113.7')).toBe(429);
    // Another client behind the same proxy is not blocked, for a bad token or a good one.
    expect(await signIn(behindProxy, '198.51.100.9')).toBe(401);
    expect(await signIn(behindProxy, '198.51.100.9', good)).toBe(200);
    // A client that puts its own X-Forwarded-For before the proxy's entry is still its proxy-seen address.
    expect(await signIn(behindProxy, '192.0.2.1, 203.0.113.7')).toBe(429);
    expect(await failuresCounted(behindProxy, '203.0.113.7')).toBe(22);
    expect(await failuresCounted(behindProxy, '198.51.100.9')).toBe(1);
    expect(await failuresCounted(behindProxy, '127.0.0.1')).toBe(0);
  });

  test("an untrusted peer's X-Forwarded-For is ignored: it is counted under its own address", async () => {
    for (let i = 0; i < 20; i++) expect(await signIn(otherProxy, `203.0.113.${i + 1}`)).toBe(401);
    expect(await signIn(otherProxy, '198.51.100.200')).toBe(429);
    expect(await failuresCounted(otherProxy, '127.0.0.1')).toBe(21);
    expect(await failuresCounted(otherProxy, '203.0.113.1')).toBe(0);
  });
});
