import type { Actor } from '../actor.js';
import { highestRole, type Role } from '../roles.js';

/**
 * The role a fresh space gives members with no mapped platform role. 'creator' so a community can
 * start generating the day the bot joins; admins who want a closed space set `defaultRole: 'viewer'`
 * in the space settings and map the platform roles that may create.
 */
export const DEFAULT_SPACE_ROLE = 'creator' satisfies Role;

/**
 * Decides the app role of an actor in a space. Order matters:
 * 1. platform owners/administrators are always admin (they can remove the bot anyway);
 * 2. guests are never above viewer, whatever a mapping or token says;
 * 3. a role the platform already vouches for (an API token's role) is used as is;
 * 4. otherwise the highest role mapped from the actor's platform roles. A mapped role wins even
 *    when it is below the default, so admins can demote a platform role (e.g. "muted" -> viewer);
 * 5. no mapped role at all: the space default.
 */
export function resolveRole(actor: Actor, mapping: ReadonlyMap<string, Role>, defaultRole: Role): Role {
  if (actor.isPlatformAdmin) return 'admin';
  if (actor.isGuest === true) return 'viewer';
  if (actor.grantedRole !== undefined) return actor.grantedRole;
  const mapped: Role[] = [];
  for (const platformRole of actor.platformRoles) {
    const role = mapping.get(platformRole);
    if (role !== undefined) mapped.push(role);
  }
  if (mapped.length === 0) return defaultRole;
  return highestRole(mapped);
}
