import { z } from 'zod';

/**
 * Where a job's Discord message lives, stored on the job record (jobs.reply) so any Discord process
 * can resume it after a restart. The interaction token is only good for 15 minutes; after the cutover
 * the message moves to the channel (`mode: 'channel'`) and is edited with the bot token.
 */
const discordReplySchema = z.object({
  platform: z.literal('discord'),
  appId: z.string().min(1),
  token: z.string().min(1),
  guildId: z.string().min(1),
  channelId: z.string().min(1),
  messageId: z.string().min(1),
  userId: z.string().min(1),
  /** When Discord created the interaction (ms since epoch): the 15-minute clock starts here. */
  createdAt: z.number(),
  mode: z.enum(['interaction', 'channel']),
  attachmentSizeLimit: z.number().int().positive(),
  /** True once the final state (image, failure or cancellation) was posted. */
  landed: z.boolean().default(false),
});

export type DiscordReply = z.output<typeof discordReplySchema>;

export function readDiscordReply(raw: unknown): DiscordReply | undefined {
  const parsed = discordReplySchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Discord's documented default when an interaction does not say. */
export const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;
