import type { Viewer } from './generate-service.js';
import { parseInput } from './input-errors.js';
import { fail, ok, type Outcome } from './outcome.js';
import { can, type Action } from './policy/permissions.js';
import { readSpaceSettings, spaceSettingsSchema, type SpaceSettings } from './policy/space-settings.js';
import type { AuditNote } from './records.js';
import { roleAtLeast, type Role } from './roles.js';

export interface AuditEntry {
  id: number;
  action: string;
  target: string;
  actor: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface SpaceAdminRecords {
  listRoleMappings(spaceId: string): Promise<Array<{ platformRole: string; role: string }>>;
  /** Changes write their audit note in the same transaction. */
  setRoleMapping(spaceId: string, platformRole: string, role: Role | null, audit: AuditNote): Promise<void>;
  getSettings(spaceId: string): Promise<unknown>;
  saveSettings(spaceId: string, settings: SpaceSettings, audit: AuditNote): Promise<void>;
  listAudit(spaceId: string, query: { limit: number; beforeId?: number; action?: string }): Promise<AuditEntry[]>;
  /** For changes made elsewhere (API tokens live in the token store). */
  audit(entry: AuditNote): Promise<void>;
}

/** Token changes carry their audit note (the issued token's id is filled in as its target): both commit together. */
export interface TokenIssuer {
  issue(
    input: { subject: string; platform: string; space: string; role: Role; ttlSeconds: number; issuedBy: string },
    audit?: Omit<AuditNote, 'target'>,
  ): Promise<{ token: string; claims: { tokenId: string; expiresAt: Date } }>;
  revoke(tokenId: string, spaceId: string, audit?: AuditNote): Promise<boolean>;
}

const PLATFORM_ROLE = /^[A-Za-z0-9_:-]{1,64}$/;
const MAX_TOKEN_DAYS = 365;

/**
 * Admin and moderator actions on a space: role mapping, settings (limits, content policy), API
 * tokens, the audit log. Every change is written to the audit log with who made it.
 */
export class SpaceAdminService {
  constructor(
    private readonly records: SpaceAdminRecords,
    private readonly tokens: TokenIssuer,
  ) {}

  private allowed(viewer: Viewer, action: Action): boolean {
    return can({ role: viewer.role, userId: viewer.identity.userId }, action);
  }

  async roleMappings(viewer: Viewer): Promise<Outcome<Array<{ platformRole: string; role: string }>>> {
    if (!this.allowed(viewer, 'configure_space')) return fail({ reason: 'not_permitted', action: 'read_role_mapping' });
    return ok(await this.records.listRoleMappings(viewer.identity.spaceId));
  }

  /** Maps a platform role (Discord role id, Slack user group id) to an app role; null removes it. */
  async setRoleMapping(viewer: Viewer, platformRole: string, role: Role | null): Promise<Outcome<{ platformRole: string; role: Role | null }>> {
    if (!this.allowed(viewer, 'configure_space')) return fail({ reason: 'not_permitted', action: 'change_role_mapping' });
    if (!PLATFORM_ROLE.test(platformRole)) return fail({ reason: 'field_invalid', field: 'platform_role', rule: 'platform_role' });
    await this.records.setRoleMapping(viewer.identity.spaceId, platformRole, role, {
      spaceId: viewer.identity.spaceId,
      actorUserId: viewer.identity.userId,
      action: role ? 'role_mapping.set' : 'role_mapping.removed',
      target: platformRole,
      details: { role },
    });
    return ok({ platformRole, role });
  }

  async settings(viewer: Viewer): Promise<Outcome<SpaceSettings>> {
    if (!this.allowed(viewer, 'configure_space')) return fail({ reason: 'not_permitted', action: 'read_settings' });
    return ok(readSpaceSettings(await this.records.getSettings(viewer.identity.spaceId)));
  }

  /** Replaces the given top-level sections (limits, defaultRole, content); validated before saving. */
  async updateSettings(viewer: Viewer, patch: unknown): Promise<Outcome<SpaceSettings>> {
    if (!this.allowed(viewer, 'configure_space')) return fail({ reason: 'not_permitted', action: 'change_settings' });
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return fail({ reason: 'field_invalid', field: 'settings', rule: 'type', expected: 'object' });
    const current = readSpaceSettings(await this.records.getSettings(viewer.identity.spaceId));
    const parsed = parseInput(spaceSettingsSchema, { ...current, ...patch }, 'settings');
    if (!parsed.ok) return parsed;
    await this.records.saveSettings(viewer.identity.spaceId, parsed.value, {
      spaceId: viewer.identity.spaceId,
      actorUserId: viewer.identity.userId,
      action: 'settings.changed',
      target: Object.keys(patch).join(','),
      details: { changed: patch as Record<string, unknown> },
    });
    return ok(parsed.value);
  }

  /** An HTTP API token for a member of this space, at most the issuer's own role. */
  async issueToken(
    viewer: Viewer,
    request: { subject: string; role: Role; days: number; platform: string; space: string },
  ): Promise<Outcome<{ token: string; tokenId: string; expiresAt: Date }>> {
    if (!this.allowed(viewer, 'issue_tokens')) return fail({ reason: 'not_permitted', action: 'issue_tokens' });
    if (!roleAtLeast(viewer.role, request.role)) return fail({ reason: 'token_role_too_high' });
    if (!/^[\w.@-]{1,64}$/.test(request.subject)) return fail({ reason: 'field_invalid', field: 'user', rule: 'token_subject' });
    if (!Number.isInteger(request.days) || request.days < 1 || request.days > MAX_TOKEN_DAYS) return fail({ reason: 'field_invalid', field: 'days', rule: 'whole_range', min: 1, max: MAX_TOKEN_DAYS });
    const issued = await this.tokens.issue(
      {
        subject: request.subject,
        platform: request.platform,
        space: request.space,
        role: request.role,
        ttlSeconds: request.days * 86400,
        issuedBy: viewer.identity.userId,
      },
      {
        spaceId: viewer.identity.spaceId,
        actorUserId: viewer.identity.userId,
        action: 'token.issued',
        details: { subject: request.subject, role: request.role, days: request.days },
      },
    );
    return ok({ token: issued.token, tokenId: issued.claims.tokenId, expiresAt: issued.claims.expiresAt });
  }

  async revokeToken(viewer: Viewer, tokenId: string): Promise<Outcome<{ tokenId: string }>> {
    if (!this.allowed(viewer, 'issue_tokens')) return fail({ reason: 'not_permitted', action: 'revoke_tokens' });
    const audit = { spaceId: viewer.identity.spaceId, actorUserId: viewer.identity.userId, action: 'token.revoked', target: tokenId };
    if (!(await this.tokens.revoke(tokenId, viewer.identity.spaceId, audit))) return fail({ reason: 'token_unknown' });
    return ok({ tokenId });
  }

  async auditLog(viewer: Viewer, query: { limit?: number; beforeId?: number; action?: string }): Promise<Outcome<AuditEntry[]>> {
    if (!this.allowed(viewer, 'read_audit_log')) return fail({ reason: 'not_permitted', action: 'read_audit_log' });
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    return ok(await this.records.listAudit(viewer.identity.spaceId, { limit, ...(query.beforeId ? { beforeId: query.beforeId } : {}), ...(query.action ? { action: query.action } : {}) }));
  }
}
