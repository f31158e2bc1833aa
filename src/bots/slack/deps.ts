import type { WebClient } from '@slack/web-api';
import type { Runtime } from '../../app/runtime.js';
import type { LiveMessages } from '../../core/job-message/live-messages.js';
import type { Logger } from '../../shared/logger.js';
import type { SlackActorResolver } from './actor.js';
import type { SlackReply, TokenSealer } from './reply/reply-handle.js';
import type { RenderedReply } from './reply/reply-view.js';

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
  /** The live job messages of this Slack process. */
  tracker: LiveMessages<SlackReply, RenderedReply>;
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
