import type { WebClient } from '@slack/web-api';
import type { Runtime } from '../../app/runtime.js';
import type { Logger } from '../../shared/logger.js';
import type { SlackActorResolver } from './actor.js';
import type { TokenSealer } from './reply/reply-handle.js';
import type { ReplyTracker } from './reply/reply-tracker.js';

/** What every Slack feature gets: small capabilities, not the whole process. */
export interface SlackFeatureDeps {
  service: Runtime['service'];
  admin: Runtime['admin'];
  records: Pick<Runtime['records'], 'getJob'>;
  projects: Runtime['projects'];
  characters: Runtime['characters'];
  gallery: Runtime['gallery'];
  galleryLinks: Runtime['galleryLinks'];
  actors: SlackActorResolver;
  tracker: ReplyTracker;
  sealer: TokenSealer;
  /** The bot-token client (listener clients may carry a workflow token instead). */
  client: WebClient;
  log: Logger;
}

/** Where a request came from in Slack. */
export interface SlackPlace {
  teamId: string;
  userId: string;
  channelId: string;
}
