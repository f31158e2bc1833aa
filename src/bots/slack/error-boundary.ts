import { errorRef } from '../../shared/error-ref.js';
import type { Logger } from '../../shared/logger.js';

/** A mistake the user can fix; its text is shown to them as is (already mrkdwn-safe). */
export class UserMistake extends Error {
  override readonly name = 'UserMistake';
  constructor(readonly text: string) {
    super(text);
  }
}

/** Errors from the Slack Web API carry a string code starting with 'slack_' (WebClient's ErrorCode). */
function isSlackPlatformError(error: unknown): error is Error & { code: string; data?: { error?: string } } {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('slack_');
}

/**
 * The adapter's one error boundary. User mistakes get their own words; Slack platform errors get a
 * generic line and a warning in the log; anything else is a bug: logged with a reference id the
 * user can quote. The user never sees a stack, a path or a secret.
 */
export async function withErrorBoundary(
  log: Logger,
  context: Record<string, unknown>,
  tell: (text: string) => Promise<unknown>,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    let text: string;
    if (error instanceof UserMistake) {
      text = error.text;
    } else if (isSlackPlatformError(error)) {
      log.warn({ ...context, err: error, slackError: error.data?.error }, 'slack call failed');
      text = 'Slack did not accept that just now. Please try again in a moment.';
    } else {
      const ref = errorRef();
      log.error({ ...context, err: error, ref }, 'slack handler failed');
      text = `Something went wrong on our side (reference ${ref}).`;
    }
    await tell(text).catch((tellError: unknown) => log.warn({ ...context, err: tellError }, 'could not tell the user about an error'));
  }
}
