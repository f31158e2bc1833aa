import type { Middleware, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Viewer } from '../../../core/generate-service.js';
import type { Outcome } from '../../../core/outcome.js';
import type { SlackFeatureDeps, SlackPlace } from '../deps.js';
import { UserMistake, withErrorBoundary } from '../error-boundary.js';
import { escapeSlackText } from '../escape.js';
import { failureText } from '../words.js';

export interface CommandContext {
  /** The command's text, trimmed. */
  text: string;
  place: SlackPlace;
  viewer(): Promise<Viewer>;
}

/**
 * The shape of every private command (/jobs, /cancel, /project, /character, /history, /search,
 * /gallery, /anime-config, /anime-token): ack at once, answer privately (ephemeral) through the
 * one error boundary. The handler returns mrkdwn-safe text.
 */
export function ephemeralCommand(deps: SlackFeatureDeps, name: string, handler: (ctx: CommandContext) => Promise<string>): Middleware<SlackCommandMiddlewareArgs> {
  return async ({ command, ack, respond }) => {
    await ack();
    const place = { teamId: command.team_id, userId: command.user_id, channelId: command.channel_id };
    const tell = (text: string) => respond({ response_type: 'ephemeral', text });
    await withErrorBoundary(deps.log, { command: name, ...place }, tell, async () => {
      const viewer = async () => deps.service.identify(await deps.actors.actor(place));
      await tell(await handler({ text: command.text.trim(), place, viewer }));
    });
  };
}

/** The value, or the refusal as the user's mistake (the core's words, escaped). */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new UserMistake(failureText(outcome));
  return outcome.value;
}

/** A grammar error, named and with the usage, as /generate words them. */
export function grammarMistake(error: string, usage: string): UserMistake {
  return new UserMistake(escapeSlackText(`${error.charAt(0).toUpperCase()}${error.slice(1)}.\nUsage: ${usage}`));
}
