/** App roles inside one space, weakest first. The order is the hierarchy. */
export const ROLES = ['viewer', 'creator', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return roleRank(role) >= roleRank(minimum);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function highestRole(roles: Iterable<Role>, floor: Role = 'viewer'): Role {
  let best = floor;
  for (const role of roles) if (roleRank(role) > roleRank(best)) best = role;
  return best;
}
