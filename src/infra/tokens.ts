import { createHash, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../core/ids.js';
import { isRole, type Role } from '../core/roles.js';
import type { Database } from '../db/client.js';
import type { AuditNote } from '../core/records.js';
import { writeAudit } from '../db/records.js';
import { apiTokens, spaces } from '../db/schema.js';

export const TOKEN_ISSUER = 'anime-production';
export const TOKEN_AUDIENCE = 'anime-production-api';

export interface TokenClaims {
  subject: string;
  /** The space's platform and external id, e.g. web:web or discord:1234. */
  platform: string;
  space: string;
  role: Role;
  tokenId: string;
  expiresAt: Date;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'expired' | 'invalid' | 'revoked' };

/** Separate keys per purpose, derived from APP_SECRET, so a media link key can never sign a token. */
export function deriveKey(appSecret: string, purpose: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`${purpose}\0${appSecret}`).digest());
}

/** HTTP API tokens: HS256 JWTs (jose) whose ids are recorded so an admin can revoke them. */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    private readonly db: Database,
    appSecret: string,
  ) {
    this.key = deriveKey(appSecret, 'api-token');
  }

  /** With an audit note, the token row and its audit row commit together. */
  async issue(
    input: { subject: string; platform?: string; space?: string; role: Role; ttlSeconds: number; issuedBy: string },
    audit?: Omit<AuditNote, 'target'>,
  ): Promise<{ token: string; claims: TokenClaims }> {
    const platform = input.platform ?? 'web';
    const space = input.space ?? 'web';
    const [spaceRow] = await this.db
      .insert(spaces)
      .values({ platform, externalId: space })
      .onConflictDoUpdate({ target: [spaces.platform, spaces.externalId], set: { platform } })
      .returning({ id: spaces.id });
    if (!spaceRow) throw new Error('space upsert returned nothing');
    const tokenId = randomUUID();
    const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
    await this.db.transaction(async (tx) => {
      await tx.insert(apiTokens).values({ id: tokenId, spaceId: spaceRow.id, subject: input.subject, role: input.role, issuedBy: input.issuedBy, expiresAt });
      if (audit) await writeAudit(tx, { ...audit, target: tokenId });
    });
    const token = await new SignJWT({ role: input.role, space, plt: platform })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(input.subject)
      .setJti(tokenId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, claims: { subject: input.subject, platform, space, role: input.role, tokenId, expiresAt } };
  }

  async verify(token: string): Promise<VerifyResult> {
    if (token.length > 4096 || token.split('.').length !== 3) return { ok: false, reason: 'malformed' };
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ['HS256'] }));
    } catch (error) {
      return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
    const { sub, jti, exp, role, space, plt } = payload;
    // A signed token is only as good as its row: the id must be one we issued (a UUID, never sent to
    // the uuid column otherwise), and what it claims must be what the row recorded when it was issued.
    if (!sub || !jti || !isUuid(jti) || !exp || !isRole(role) || typeof space !== 'string' || typeof plt !== 'string') return { ok: false, reason: 'invalid' };
    const [row] = await this.db
      .select({ revokedAt: apiTokens.revokedAt, subject: apiTokens.subject, role: apiTokens.role, platform: spaces.platform, space: spaces.externalId })
      .from(apiTokens)
      .innerJoin(spaces, eq(spaces.id, apiTokens.spaceId))
      .where(eq(apiTokens.id, jti));
    if (!row || row.revokedAt) return { ok: false, reason: 'revoked' };
    if (row.subject !== sub || row.role !== role || row.platform !== plt || row.space !== space) return { ok: false, reason: 'invalid' };
    return { ok: true, claims: { subject: sub, platform: plt, space, role, tokenId: jti, expiresAt: new Date(exp * 1000) } };
  }

  /** Revokes by id; with spaceId, only a token of that space (an admin revokes only their own space's). */
  async revoke(tokenId: string, spaceId?: string, audit?: AuditNote): Promise<boolean> {
    if (!isUuid(tokenId)) return false;
    const condition = spaceId ? and(eq(apiTokens.id, tokenId), eq(apiTokens.spaceId, spaceId)) : eq(apiTokens.id, tokenId);
    return this.db.transaction(async (tx) => {
      const rows = await tx.update(apiTokens).set({ revokedAt: new Date() }).where(condition).returning({ id: apiTokens.id });
      if (rows.length === 0) return false;
      if (audit) await writeAudit(tx, audit);
      return true;
    });
  }
}
