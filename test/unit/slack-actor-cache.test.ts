import type { WebClient } from '@slack/web-api';
import { describe, expect, test } from 'vitest';
import { SlackActorResolver } from '../../src/bots/slack/actor.js';

/** A Slack client whose look-ups wait until the test lets them answer, counting every call. */
function gatedClient() {
  const calls = { usersInfo: 0, groupMembers: 0 };
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let failNext = false;
  const client = {
    users: {
      info: async ({ user }: { user: string }) => {
        calls.usersInfo++;
        await gate;
        if (failNext) {
          failNext = false;
          throw new Error('slack is down');
        }
        return { user: { id: user, is_admin: true, profile: { display_name: 'Aiko' } } };
      },
    },
    usergroups: {
      users: {
        list: async () => {
          calls.groupMembers++;
          await gate;
          return { users: ['U1'] };
        },
      },
    },
  } as unknown as WebClient;
  return { client, calls, open: () => open(), failOnce: () => (failNext = true) };
}

describe('Slack look-up cache', () => {
  test('two concurrent misses for one user and one group each load once', async () => {
    const slack = gatedClient();
    const resolver = new SlackActorResolver({ client: slack.client, mappedUsergroups: async () => ['S1'] });
    const first = resolver.actor({ teamId: 'T1', userId: 'U1' });
    const second = resolver.actor({ teamId: 'T1', userId: 'U1' });
    slack.open();
    const [a, b] = await Promise.all([first, second]);
    expect(slack.calls).toEqual({ usersInfo: 1, groupMembers: 1 });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ displayName: 'Aiko', isPlatformAdmin: true, platformRoles: ['S1'] });
    await resolver.actor({ teamId: 'T1', userId: 'U1' });
    expect(slack.calls).toEqual({ usersInfo: 1, groupMembers: 1 });
  });

  test('a failed look-up is not remembered', async () => {
    const slack = gatedClient();
    slack.open();
    slack.failOnce();
    const resolver = new SlackActorResolver({ client: slack.client, mappedUsergroups: async () => [] });
    await expect(resolver.actor({ teamId: 'T1', userId: 'U2' })).rejects.toThrow('slack is down');
    await expect(resolver.actor({ teamId: 'T1', userId: 'U2' })).resolves.toMatchObject({ displayName: 'Aiko' });
    expect(slack.calls.usersInfo).toBe(2);
  });

  test('forgetting a workspace drops its group members, even while a look-up is in flight', async () => {
    const slack = gatedClient();
    const resolver = new SlackActorResolver({ client: slack.client, mappedUsergroups: async () => ['S1'] });
    const inFlight = resolver.actor({ teamId: 'T1', userId: 'U1' });
    await expect.poll(() => slack.calls.groupMembers).toBe(1);
    resolver.forgetWorkspace('T1');
    slack.open();
    await expect(inFlight).resolves.toMatchObject({ platformRoles: ['S1'] });
    await resolver.actor({ teamId: 'T1', userId: 'U1' });
    expect(slack.calls.groupMembers).toBe(2);
  });
});
