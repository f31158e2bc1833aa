import type { UploadService } from '../../core/uploads/upload-service.js';
import type { WebClient } from '@slack/web-api';
import type { FarmAdminService } from '../../core/farm-admin.js';
import type { CharacterService } from '../../core/characters/character-service.js';
import type { GalleryService } from '../../core/gallery/gallery-service.js';
import type { GenerateService } from '../../core/generate-service.js';
import type { LiveMessages } from '../../core/job-message/live-messages.js';
import type { ProjectService } from '../../core/projects/project-service.js';
import type { GenerateRecords } from '../../core/records.js';
import type { SpaceAdminService } from '../../core/space-admin.js';
import type { UsageService } from '../../core/usage/usage-service.js';
import type { GalleryLinks } from '../../infra/links/gallery-links.js';
import type { Logger } from '../../shared/logger.js';
import type { SlackActorResolver } from './actor.js';
import type { SlackReply, TokenSealer } from './reply/reply-handle.js';
import type { RenderedReply } from './reply/reply-view.js';

/** What every Slack feature gets: small capabilities (the core's services), passed in by src/app. */
export interface SlackFeatureDeps {
  service: GenerateService;
  admin: SpaceAdminService;
  records: Pick<GenerateRecords, 'getJob'>;
  projects: ProjectService;
  characters: CharacterService;
  gallery: GalleryService;
  /** GPU usage reports (/usage). */
  usage: UsageService;
  /** The farm's backends (/backend). */
  farm: FarmAdminService;
  /** Signed gallery links; every link a command shows is signed for the one who asked. */
  galleryLinks: GalleryLinks;
  actors: SlackActorResolver;
  /** The live job messages of this Slack process. */
  tracker: LiveMessages<SlackReply, RenderedReply>;
  sealer: TokenSealer;
  /** Reference pictures sent with the /generate modal (checked and stored by the core). */
  uploads: UploadService;
  /** How much of a Slack file is downloaded (url_private, bot token), and for how long. */
  uploadDownload: { maxBytes: number; timeoutMs: number };
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
