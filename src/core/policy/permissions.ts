import { roleAtLeast, type Role } from '../roles.js';

/** Everything a member of a space may be allowed to do. `*_own_*` actions apply to the actor's own things. */
export const ACTIONS = [
  'generate',
  'view_gallery',
  'cancel_own_job',
  'cancel_any_job',
  'delete_own_image',
  'delete_any_image',
  'manage_projects',
  'manage_characters',
  'configure_space',
  'issue_tokens',
  'read_audit_log',
  /** Another member's, a project's or the whole space's GPU usage (everyone may read their own). */
  'read_space_usage',
  /** The farm dashboard: queue, backends, throughput, top users of the space by GPU time. */
  'view_farm',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The weakest role allowed each action. Roles are a strict hierarchy, so "minimum role" is the whole
 * rule. Cancelling one's own job is open to viewers on purpose: someone demoted while their jobs
 * wait must still be able to stop them, and stopping work never harms anyone else.
 */
const MINIMUM_ROLE: Readonly<Record<Action, Role>> = {
  generate: 'creator',
  view_gallery: 'viewer',
  cancel_own_job: 'viewer',
  cancel_any_job: 'moderator',
  delete_own_image: 'creator',
  delete_any_image: 'moderator',
  manage_projects: 'moderator',
  manage_characters: 'moderator',
  configure_space: 'admin',
  issue_tokens: 'admin',
  read_audit_log: 'admin',
  read_space_usage: 'admin',
  view_farm: 'moderator',
};

const OWN_ACTIONS: ReadonlySet<Action> = new Set(['cancel_own_job', 'delete_own_image']);

export interface PolicyActor {
  role: Role;
  /** The app's user id, compared with a resource's owner for `*_own_*` actions. */
  userId: string;
}

export interface OwnedResource {
  ownerId?: string;
}

/**
 * May this actor do this? `*_own_*` actions also need a resource whose owner is the actor; a missing
 * owner counts as someone else's (deny rather than guess). `*_any_*` actions ignore the owner.
 */
export function can(actor: PolicyActor, action: Action, resource?: OwnedResource): boolean {
  if (!roleAtLeast(actor.role, MINIMUM_ROLE[action])) return false;
  if (!OWN_ACTIONS.has(action)) return true;
  return resource?.ownerId !== undefined && resource.ownerId === actor.userId;
}

/** Acting on a job or image: allowed by either the `own` action (when it is yours) or the `any` action. */
export type OwnedVerb = 'cancel_job' | 'delete_image';

const VERB_ACTIONS: Readonly<Record<OwnedVerb, readonly [own: Action, any: Action]>> = {
  cancel_job: ['cancel_own_job', 'cancel_any_job'],
  delete_image: ['delete_own_image', 'delete_any_image'],
};

/** The question callers usually have ("may this user cancel this job?"), answered from both rules. */
export function canOnResource(actor: PolicyActor, verb: OwnedVerb, resource: OwnedResource): boolean {
  const [own, any] = VERB_ACTIONS[verb];
  return can(actor, any, resource) || can(actor, own, resource);
}
