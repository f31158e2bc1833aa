import type { FakeSlackState } from './state.js';

export interface SlashCommandFields {
  command?: string;
  text?: string;
  userId: string;
  channelId: string;
  userName?: string;
  channelName?: string;
}

/**
 * The fields Slack sends with a slash command, with a fresh trigger id and response URL issued by
 * the fake: the same payload whether it travels signed over HTTP or in a Socket Mode envelope.
 */
export function slashCommandPayload(
  fake: Pick<FakeSlackState, 'identity' | 'issueTrigger' | 'issueResponseUrl'>,
  input: SlashCommandFields,
  verificationToken = 'fake-verification-token',
): { payload: Record<string, string>; triggerId: string; responseUrl: string } {
  const trigger = fake.issueTrigger(input.userId);
  const responseUrl = fake.issueResponseUrl(input.channelId, input.userId);
  const { identity } = fake;
  const payload: Record<string, string> = {
    token: verificationToken,
    team_id: identity.teamId,
    team_domain: identity.teamDomain,
    channel_id: input.channelId,
    channel_name: input.channelName ?? input.channelId.toLowerCase(),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? '/generate',
    text: input.text ?? '',
    api_app_id: identity.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl.url,
    trigger_id: trigger.trigger_id,
  };
  return { payload, triggerId: trigger.trigger_id, responseUrl: responseUrl.url };
}
