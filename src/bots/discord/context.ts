import type { Interaction } from 'discord.js';
import type { Actor } from '../../core/actor.js';
import type { CharacterService } from '../../core/characters/character-service.js';
import type { GalleryService } from '../../core/gallery/gallery-service.js';
import type { GenerateService, Viewer } from '../../core/generate-service.js';
import type { ProjectService } from '../../core/projects/project-service.js';
import type { SpaceAdminService } from '../../core/space-admin.js';
import type { UsageService } from '../../core/usage/usage-service.js';
import type { FarmAdminService } from '../../core/farm-admin.js';
import type { Logger } from '../../shared/logger.js';
import type { GalleryLinks } from '../../infra/links/gallery-links.js';
import { buildActor } from './actor.js';
import { UserMistake } from './error-boundary.js';
import type { OutgoingMessage } from './render.js';
import type { DiscordReply } from './reply-handle.js';
import type { LiveMessages } from '../../core/job-message/live-messages.js';

/** What every feature may use: the core services, the reply tracker and a logger. */
import type { UploadService } from '../../core/uploads/upload-service.js';

export interface BotContext {
  service: GenerateService;
  admin: SpaceAdminService;
  projects: ProjectService;
  characters: CharacterService;
  gallery: GalleryService;
  /** GPU usage reports (/usage). */
  usage: UsageService;
  /** The farm's backends (/backend). */
  farm: FarmAdminService;
  /** Signed gallery links; every link a command shows is signed for the one who asked. */
  galleryLinks: GalleryLinks;
  /** Reference pictures attached to /generate (checked and stored by the core). */
  uploads: UploadService;
  /** How much of an attachment is fetched from Discord's CDN, and for how long. */
  uploadDownload: { maxBytes: number; timeoutMs: number };
  /** The live job messages of this Discord process. */
  tracker: LiveMessages<DiscordReply, OutgoingMessage>;
  log: Logger;
}

export function requireActor(interaction: Interaction): Actor {
  const actor = buildActor(interaction);
  if (!actor) throw new UserMistake('Please use this in a server channel; it does not work in direct messages.');
  return actor;
}

export async function viewerOf(ctx: BotContext, interaction: Interaction): Promise<{ actor: Actor; viewer: Viewer }> {
  const actor = requireActor(interaction);
  return { actor, viewer: await ctx.service.identify(actor) };
}
