import { describe, expect, test } from 'vitest';
import { ACTIONS, can, canOnResource, type Action } from '../../src/core/policy/permissions.js';
import { ROLES, type Role } from '../../src/core/roles.js';

/**
 * The whole matrix, written out by hand (not derived from the implementation's table).
 * Columns: viewer, creator, moderator, admin. "own" = the resource belongs to the actor,
 * "other" = it belongs to someone else. Actions without an owner give the same answer both ways.
 */
type Row = readonly [viewer: boolean, creator: boolean, moderator: boolean, admin: boolean];
const EXPECTED: Record<Action, { own: Row; other: Row }> = {
  generate:          { own: [false, true, true, true],  other: [false, true, true, true] },
  view_gallery:      { own: [true, true, true, true],   other: [true, true, true, true] },
  cancel_own_job:    { own: [true, true, true, true],   other: [false, false, false, false] },
  cancel_any_job:    { own: [false, false, true, true], other: [false, false, true, true] },
  delete_own_image:  { own: [false, true, true, true],  other: [false, false, false, false] },
  delete_any_image:  { own: [false, false, true, true], other: [false, false, true, true] },
  manage_projects:   { own: [false, false, true, true], other: [false, false, true, true] },
  manage_characters: { own: [false, false, true, true], other: [false, false, true, true] },
  configure_space:   { own: [false, false, false, true], other: [false, false, false, true] },
  issue_tokens:      { own: [false, false, false, true], other: [false, false, false, true] },
  read_audit_log:    { own: [false, false, false, true], other: [false, false, false, true] },
  read_space_usage:  { own: [false, false, false, true], other: [false, false, false, true] },
  view_farm:         { own: [false, false, true, true], other: [false, false, true, true] },
};

const ROLE_ORDER: readonly Role[] = ['viewer', 'creator', 'moderator', 'admin'];

test('the expected table covers every action and every role', () => {
  expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
  expect([...ROLES]).toEqual(ROLE_ORDER);
});

describe.each(Object.entries(EXPECTED) as [Action, { own: Row; other: Row }][])('%s', (action, expected) => {
  test.each(ROLE_ORDER.map((role, column) => [role, column] as const))('as %s', (role, column) => {
    const actor = { role, userId: 'me' };
    expect(can(actor, action, { ownerId: 'me' })).toBe(expected.own[column]);
    expect(can(actor, action, { ownerId: 'someone-else' })).toBe(expected.other[column]);
  });
});

describe('ownership edge cases', () => {
  test('an own-action without a resource or owner is denied, even to admins', () => {
    const admin = { role: 'admin' as const, userId: 'me' };
    expect(can(admin, 'cancel_own_job')).toBe(false);
    expect(can(admin, 'delete_own_image', {})).toBe(false);
  });

  test('actions without an owner do not need a resource', () => {
    expect(can({ role: 'creator', userId: 'me' }, 'generate')).toBe(true);
    expect(can({ role: 'viewer', userId: 'me' }, 'generate')).toBe(false);
  });

  test('an empty user id never owns an unowned resource', () => {
    expect(can({ role: 'creator', userId: '' }, 'delete_own_image', { ownerId: undefined })).toBe(false);
  });
});

describe('canOnResource combines own and any', () => {
  const cases: [Role, 'mine' | 'theirs', boolean, boolean][] = [
    // role, whose, may cancel the job, may delete the image
    ['viewer', 'mine', true, false],
    ['viewer', 'theirs', false, false],
    ['creator', 'mine', true, true],
    ['creator', 'theirs', false, false],
    ['moderator', 'mine', true, true],
    ['moderator', 'theirs', true, true],
    ['admin', 'theirs', true, true],
  ];
  test.each(cases)('%s on %s', (role, whose, cancel, remove) => {
    const actor = { role, userId: 'me' };
    const resource = { ownerId: whose === 'mine' ? 'me' : 'them' };
    expect(canOnResource(actor, 'cancel_job', resource)).toBe(cancel);
    expect(canOnResource(actor, 'delete_image', resource)).toBe(remove);
  });
});
