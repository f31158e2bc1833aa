/**
 * Fake Slack for end-to-end tests with the real Bolt App and WebClient.
 *
 * Behaviour taken from Slack docs or SDK source is exact; these choices are UNVERIFIED against
 * the live service and kept deliberately strict or loud:
 * - response_url past 5 uses / 30 min: HTTP 404 {ok:false,error:'used_url'|'expired_url'};
 *   success body {ok:true}.
 * - files.completeUploadExternal with an unknown / never-uploaded / completed id:
 *   'file_not_found' / 'file_not_uploaded' / 'file_already_completed'; upload-length mismatch: 400.
 * - functions.complete* with a token other than the execution's bot_access_token: 'access_denied'.
 * - usergroups.users.list on a disabled group without include_disabled: 'no_such_subteam'.
 * - chat.update without `text` keeps the previous text; thread_ts is stored as given (no parent check);
 *   channel names ('#general') are not resolved, only ids.
 */
export { startFakeSlack } from './server.js';
export type { FakeSlack } from './server.js';
export { createSlackDriver } from './driver.js';
export type {
  BlockActionInput, DriverResponse, FunctionExecutedInput, SlackDriver, SlackDriverOptions, SlashCommandInput,
  ViewSubmissionInput,
} from './driver.js';
export type { FakeSocketMode, SocketAck, SocketConnection } from './socket-mode.js';
export { signingHeaders, slackSignature } from './signing.js';
export type { SignOptions } from './signing.js';
export { validateBlocks } from './blocks.js';
export type * from './types.js';
