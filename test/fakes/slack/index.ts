export { startFakeSlack } from './server.js';
export type { FakeSlack } from './server.js';
export { createSlackDriver } from './driver.js';
export type {
  BlockActionInput, DriverResponse, FunctionExecutedInput, SlackDriver, SlackDriverOptions, SlashCommandInput,
  ViewSubmissionInput,
} from './driver.js';
export { signingHeaders, slackSignature } from './signing.js';
export type { SignOptions } from './signing.js';
export { validateBlocks } from './blocks.js';
export type * from './types.js';
