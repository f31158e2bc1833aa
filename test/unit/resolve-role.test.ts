import { describe, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import { DEFAULT_SPACE_ROLE, resolveRole } from '../../src/core/policy/resolve-role.js';
import type { Role } from '../../src/core/roles.js';

function actor(overrides: Partial<Actor> = {}): Actor {
  return {
    platform: 'discord',
    spaceExternalId: 'guild-1',
    userExternalId: 'user-1',
    platformRoles: [],
    isPlatformAdmin: false,
    ...overrides,
  };
}

const mapping = new Map<string, Role>([
  ['artists', 'creator'],
  ['mods', 'moderator'],
  ['muted', 'viewer'],
  ['owners-club', 'admin'],
]);

describe('resolveRole', () => {
  test('a fresh space lets members create', () => {
    expect(DEFAULT_SPACE_ROLE).toBe('creator');
    expect(resolveRole(actor(), new Map(), DEFAULT_SPACE_ROLE)).toBe('creator');
  });

  test('admins can close a space by lowering the default to viewer', () => {
    expect(resolveRole(actor({ platformRoles: ['unmapped'] }), mapping, 'viewer')).toBe('viewer');
  });

  test('platform admins are always admin, whatever the mapping, default, token or guest flag', () => {
    expect(resolveRole(actor({ isPlatformAdmin: true, platformRoles: ['muted'] }), mapping, 'viewer')).toBe('admin');
    expect(resolveRole(actor({ isPlatformAdmin: true, grantedRole: 'viewer' }), mapping, 'viewer')).toBe('admin');
  });

  test('guests are viewers even with a mapped role, a token role or a generous default', () => {
    expect(resolveRole(actor({ isGuest: true, platformRoles: ['mods'] }), mapping, 'creator')).toBe('viewer');
    expect(resolveRole(actor({ isGuest: true, grantedRole: 'admin' }), mapping, 'creator')).toBe('viewer');
    expect(resolveRole(actor({ isGuest: true }), mapping, 'creator')).toBe('viewer');
  });

  test('a granted role (API token) is used as is, ignoring mapping and default', () => {
    expect(resolveRole(actor({ grantedRole: 'moderator', platformRoles: ['muted'] }), mapping, 'viewer')).toBe('moderator');
    expect(resolveRole(actor({ grantedRole: 'viewer', platformRoles: ['mods'] }), mapping, 'creator')).toBe('viewer');
  });

  test('the highest mapped role wins', () => {
    expect(resolveRole(actor({ platformRoles: ['artists', 'mods', 'unmapped'] }), mapping, 'viewer')).toBe('moderator');
    expect(resolveRole(actor({ platformRoles: ['owners-club', 'artists'] }), mapping, 'viewer')).toBe('admin');
  });

  test('a mapped role below the default still applies, so admins can demote a platform role', () => {
    expect(resolveRole(actor({ platformRoles: ['muted'] }), mapping, 'creator')).toBe('viewer');
  });

  test('unmapped platform roles fall back to the default', () => {
    expect(resolveRole(actor({ platformRoles: ['x', 'y'] }), mapping, 'creator')).toBe('creator');
  });
});
