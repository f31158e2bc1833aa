import { errorRef } from '../../shared/error-ref.js';
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import type { Logger } from '../../shared/logger.js';
import type { Responder } from './responder.js';

/** A mistake the user can fix (bad option, used outside a server); its message is shown as is. */
export class UserMistake extends Error {
  override readonly name = 'UserMistake';
}

function isPlatformError(error: unknown): boolean {
  return error instanceof DiscordAPIError || error instanceof HTTPError || error instanceof RateLimitError;
}

/**
 * The adapter's one error boundary. User mistakes get their own words; Discord's errors (already
 * retried by discord.js for 429 and 5xx) get a generic line; anything else is a bug: logged with a
 * reference the user is shown, so support can find it. Nothing raw ever reaches the user.
 */
export async function withBoundary(responder: Responder, log: Logger, what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const ref = errorRef();
    let text: string;
    if (error instanceof UserMistake) {
      text = error.message;
    } else if (isPlatformError(error)) {
      log.warn({ err: error, ref, what }, 'discord refused a request');
      text = `Discord did not accept that just now. Please try again in a moment. Reference: \`${ref}\``;
    } else {
      log.error({ err: error, ref, what }, 'discord handler failed');
      text = `Something went wrong on our side. Reference: \`${ref}\``;
    }
    await responder.say(text).catch((sayError: unknown) => log.warn({ err: sayError, ref, what }, 'could not tell the user about a failure'));
  }
}
