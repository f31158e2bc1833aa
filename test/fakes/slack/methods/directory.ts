/** Who is who: auth.test, users.info, usergroups.*, conversations.info. */
import { SlackApiError } from '../args.js';
import type { FakeSlackState } from '../state.js';
import type { FakeUserSeed } from '../types.js';
import type { MethodHandler } from './context.js';

const authTest: MethodHandler = ({ state }) => {
  const { identity } = state;
  // Bolt reads user_id and bot_id from this at construction; both must be present.
  return {
    url: `https://${identity.teamDomain}.slack.com/`,
    team: identity.teamName,
    user: identity.botName,
    team_id: identity.teamId,
    user_id: identity.botUserId,
    bot_id: identity.botId,
    is_enterprise_install: false,
  };
};

function userObject(state: FakeSlackState, seed: FakeUserSeed): Record<string, unknown> {
  const name = seed.name ?? seed.id.toLowerCase();
  const realName = seed.real_name ?? name;
  return {
    id: seed.id,
    team_id: state.identity.teamId,
    name,
    real_name: realName,
    deleted: seed.deleted ?? false,
    tz: seed.tz ?? 'Etc/UTC',
    is_admin: seed.is_admin ?? false,
    is_owner: seed.is_owner ?? false,
    is_primary_owner: seed.is_primary_owner ?? false,
    is_restricted: seed.is_restricted ?? false,
    is_ultra_restricted: seed.is_ultra_restricted ?? false,
    is_bot: seed.is_bot ?? false,
    is_app_user: false,
    updated: Math.floor(state.now() / 1000),
    profile: {
      real_name: realName,
      display_name: name,
      real_name_normalized: realName,
      display_name_normalized: name,
      ...(seed.email ? { email: seed.email } : {}),
      image_72: `https://avatars.fake-slack.invalid/${seed.id}_72.png`,
      team: state.identity.teamId,
    },
  };
}

const usersInfo: MethodHandler = ({ state, args }) => {
  const seed = state.users.get(args.str('user', 'user_not_found'));
  if (!seed) throw new SlackApiError('user_not_found');
  return { user: userObject(state, seed) };
};

const usergroupsList: MethodHandler = ({ state, args }) => {
  const includeDisabled = args.bool('include_disabled');
  const includeUsers = args.bool('include_users');
  const usergroups = [...state.usergroups.entries()]
    .filter(([, group]) => includeDisabled || !group.disabled)
    .map(([id, group]) => ({
      id,
      team_id: state.identity.teamId,
      is_usergroup: true,
      name: group.name ?? id,
      handle: group.handle ?? id.toLowerCase(),
      date_delete: group.disabled ? Math.floor(state.now() / 1000) : 0,
      user_count: group.users.length,
      ...(includeUsers ? { users: group.users } : {}),
    }));
  return { usergroups };
};

/** A disabled group without include_disabled is treated as absent (UNVERIFIED error code). */
const usergroupsUsersList: MethodHandler = ({ state, args }) => {
  const group = state.usergroups.get(args.str('usergroup', 'no_such_subteam'));
  if (!group || (group.disabled && !args.bool('include_disabled'))) throw new SlackApiError('no_such_subteam');
  return { users: [...group.users] };
};

const conversationsInfo: MethodHandler = ({ state, args }) => {
  const channel = state.resolveChannel(args.optStr('channel'));
  if (!channel) throw new SlackApiError('channel_not_found');
  const isIm = channel.id.startsWith('D');
  const name = channel.name ?? channel.id.toLowerCase();
  return {
    channel: isIm
      ? { id: channel.id, is_im: true, is_org_shared: false, user: channel.members?.[0], created: 0 }
      : {
          id: channel.id,
          name,
          name_normalized: name,
          is_channel: !channel.is_private,
          is_group: Boolean(channel.is_private),
          is_im: false,
          is_mpim: false,
          is_private: Boolean(channel.is_private),
          is_archived: Boolean(channel.is_archived),
          is_general: false,
          is_shared: false,
          is_ext_shared: false,
          is_org_shared: false,
          is_member: channel.bot_is_member !== false,
          created: 0,
          creator: '',
          context_team_id: state.identity.teamId,
          topic: { value: '', creator: '', last_set: 0 },
          purpose: { value: '', creator: '', last_set: 0 },
        },
  };
};

export const directoryMethods: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'users.info': usersInfo,
  'usergroups.list': usergroupsList,
  'usergroups.users.list': usergroupsUsersList,
  'conversations.info': conversationsInfo,
};
