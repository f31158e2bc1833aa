import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../core/actor.js';
import { LRUCache } from 'lru-cache';

/** Look-ups kept at most: a big workspace's active users, never unbounded memory. */
const MAX_ENTRIES = 5000;

interface SlackUserFacts {
  isPlatformAdmin: boolean;
  isGuest: boolean;
  displayName: string;
}

export interface SlackActorOptions {
  client: WebClient;
  /** User group ids the space's role mapping names (only those can change a role). */
  mappedUsergroups(teamId: string): Promise<string[]>;
  ttlMs?: number;
}

/**
 * Builds the core's Actor from Slack: workspace owners and admins are platform admins, restricted
 * and ultra-restricted users (guests) are guests, and the user groups the space maps become the
 * actor's platform roles. Slack look-ups are cached briefly (60 s default); the mapping itself is
 * read fresh each time so an admin's change applies to the very next request.
 */
export class SlackActorResolver {
  // fetch() coalesces concurrent misses for one key into one Slack call; a failed call is not kept.
  private readonly users: LRUCache<string, SlackUserFacts, string>;
  private readonly groups: LRUCache<string, ReadonlySet<string>, string>;
  /**
   * Group keys carry their workspace's generation: forgetting a workspace moves it to the next one,
   * so a look-up still in flight (which LRUCache.keys() does not list) lands under a key never read again.
   */
  private readonly generations = new Map<string, number>();

  constructor(private readonly options: SlackActorOptions) {
    const ttl = options.ttlMs ?? 60_000;
    this.users = new LRUCache({ max: MAX_ENTRIES, ttl, fetchMethod: (_key, _stale, { context }) => this.loadUser(context) });
    this.groups = new LRUCache({ max: MAX_ENTRIES, ttl, fetchMethod: (_key, _stale, { context }) => this.loadMembers(context) });
  }

  async actor(input: { teamId: string; userId: string; channelId?: string }): Promise<Actor> {
    // Not a Slack user id (a workflow run without a user): no look-ups, no platform facts.
    const isSlackUser = /^[UW][A-Z0-9]+$/.test(input.userId);
    const [facts, groups] = isSlackUser
      ? await Promise.all([this.userFacts(input.teamId, input.userId), this.groupsOf(input.teamId, input.userId)])
      : [{ isPlatformAdmin: false, isGuest: false, displayName: input.userId }, []];
    return {
      platform: 'slack',
      spaceExternalId: input.teamId,
      userExternalId: input.userId,
      displayName: facts.displayName,
      platformRoles: groups,
      isPlatformAdmin: facts.isPlatformAdmin,
      isGuest: facts.isGuest,
      ...(input.channelId ? { channel: { id: input.channelId, nsfw: false } } : {}),
    };
  }

  /** Forget cached group members of a workspace (after an admin changes the mapping). */
  forgetWorkspace(teamId: string): void {
    this.generations.set(teamId, (this.generations.get(teamId) ?? 0) + 1);
  }

  private async userFacts(teamId: string, userId: string): Promise<SlackUserFacts> {
    return (await this.users.fetch(`${teamId}:${userId}`, { context: userId }))!;
  }

  private async loadUser(userId: string): Promise<SlackUserFacts> {
    const { user } = await this.options.client.users.info({ user: userId });
    return {
      isPlatformAdmin: Boolean(user?.is_owner || user?.is_admin || user?.is_primary_owner),
      // A deleted account acts like a guest: it may look, never create.
      isGuest: Boolean(user?.is_restricted || user?.is_ultra_restricted || user?.deleted),
      displayName: (user?.profile?.display_name || user?.real_name || user?.name || '').slice(0, 80),
    };
  }

  private async groupsOf(teamId: string, userId: string): Promise<string[]> {
    const mapped = (await this.options.mappedUsergroups(teamId)).filter((id) => /^S[A-Z0-9]+$/.test(id));
    const members = await Promise.all(mapped.map((group) => this.members(teamId, group)));
    return mapped.filter((_, i) => members[i]!.has(userId));
  }

  private async members(teamId: string, group: string): Promise<ReadonlySet<string>> {
    const generation = this.generations.get(teamId) ?? 0;
    return (await this.groups.fetch(`${teamId}:${generation}:${group}`, { context: group }))!;
  }

  private async loadMembers(group: string): Promise<ReadonlySet<string>> {
    try {
      const { users } = await this.options.client.usergroups.users.list({ usergroup: group });
      return new Set(users ?? []);
    } catch (error) {
      // A mapped group that was deleted or disabled simply has no members.
      if ((error as { data?: { error?: string } }).data?.error === 'no_such_subteam') return new Set<string>();
      throw error;
    }
  }
}
