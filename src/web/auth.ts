import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../core/actor.js';
import type { Viewer } from '../core/generate-service.js';
import type { AuthFailureLimiter } from '../infra/auth-failures.js';
import type { TokenClaims, TokenService } from '../infra/tokens.js';
import { errorBody } from './http-errors.js';

export interface AuthDeps {
  tokens: TokenService;
  failures: AuthFailureLimiter;
  identify(actor: Actor): Promise<Viewer>;
}

export interface Authenticated {
  claims: TokenClaims;
  actor: Actor;
  viewer: Viewer;
}

const MESSAGES = {
  missing: 'send Authorization: Bearer <token> (npm run token prints one)',
  malformed: 'the token is not valid',
  invalid: 'the token is not valid',
  expired: 'the token has expired',
  revoked: 'the token has been revoked',
} as const;

function actorFromClaims(claims: TokenClaims): Actor {
  return {
    platform: claims.platform === 'discord' || claims.platform === 'slack' ? claims.platform : 'web',
    spaceExternalId: claims.space,
    userExternalId: claims.subject,
    displayName: claims.subject,
    platformRoles: [],
    isPlatformAdmin: false,
    grantedRole: claims.role,
    channel: { id: 'web', nsfw: false },
  };
}

/**
 * Verifies the bearer token or answers 401/429 itself; returns undefined when it answered.
 * The token is checked first: the failed-sign-in counter only ever sees (and refuses) failures, keyed
 * on the client's real address (request.ip honours X-Forwarded-For only from TRUST_PROXY peers).
 */
export async function authenticate(deps: AuthDeps, request: FastifyRequest, reply: FastifyReply): Promise<Authenticated | undefined> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim()) : null;
  const result = match ? await deps.tokens.verify(match[1]!) : ({ ok: false, reason: 'missing' } as const);
  if (!result.ok) {
    const blocked = await deps.failures.recordFailure(request.ip);
    if (blocked > 0) {
      reply.header('Retry-After', Math.ceil(blocked / 1000));
      await reply.code(429).send(errorBody('too_many_auth_failures', 'too many failed sign-ins from this address; try again later'));
      return undefined;
    }
    reply.header('WWW-Authenticate', 'Bearer');
    await reply.code(401).send(errorBody('unauthorized', MESSAGES[result.reason]));
    return undefined;
  }
  const actor = actorFromClaims(result.claims);
  return { claims: result.claims, actor, viewer: await deps.identify(actor) };
}
