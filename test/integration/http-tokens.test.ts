import { decodeJwt, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deriveKey, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/infra/tokens.js';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false });
});
afterAll(async () => {
  await stack.close();
});

/** Signs claims with the service's own key: what a holder of APP_SECRET (or a signing bug) could mint. */
async function signed(claims: JWTPayload): Promise<string> {
  const { sub, jti, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(sub!)
    .setJti(jti!)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(deriveKey(stack.env.APP_SECRET!, 'api-token'));
}

async function status(token: string): Promise<{ status: number; code: unknown }> {
  const response = await api(stack, 'GET', '/api/anime/jobs', token);
  return { status: response.status, code: response.json.error?.code };
}

describe('a signed token must match the row it was issued with', () => {
  test('a token whose id is not a UUID is refused with 401, not a server error', async () => {
    const forged = await signed({ sub: 'mallory', jti: 'not-a-uuid', role: 'admin', space: 'web', plt: 'web' });
    expect(await status(forged)).toEqual({ status: 401, code: 'unauthorized' });
  });

  test('the issued token works; the same id with another role, space, platform or subject is refused', async () => {
    const issued = await stack.token('carol', 'creator', 'web');
    const claims = decodeJwt(issued);
    expect(await status(issued)).toEqual({ status: 200, code: undefined });
    // The same claims signed again are still accepted: only a difference from the row is refused.
    expect((await status(await signed({ ...claims }))).status).toBe(200);
    for (const changed of [{ role: 'admin' }, { space: 'other-space' }, { plt: 'discord' }, { sub: 'dave' }]) {
      expect(await status(await signed({ ...claims, ...changed })), JSON.stringify(changed)).toEqual({ status: 401, code: 'unauthorized' });
    }
  });
});
