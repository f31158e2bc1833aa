import type { JobMessage } from './model.js';

/** What every platform's reply handle has: the flag that says the final state is shown. */
export interface ReplyHandle {
  landed?: boolean;
}

/** How the driver should take a failed write. */
export type WriteFailure =
  /** The handle no longer works (Discord's interaction token died): hand over, then go on. */
  | 'expired'
  /** The message is gone (someone deleted it): nothing left to update. */
  | 'gone'
  /** Anything else: a progress edit is replaced by the next one; a final one is tried again. */
  | 'retry';

/**
 * The narrow port a platform gives the live-message driver. The driver owns timing, coalescing,
 * skipping identical renders, the final delivery, resume and hand-over; the port only writes.
 * `R` is the platform's rendered message (compared as JSON to skip identical edits).
 */
export interface LivePort<H extends ReplyHandle, R> {
  readonly platform: string;
  /** Least time between two writes of one message. */
  readonly intervalMs: number;
  /** The pure renderer, bound to the platform's context (links, limits). */
  render(message: JobMessage, handle: H): R;
  /** Reads a stored handle (jobs.reply); undefined when it is not this platform's. */
  readHandle(stored: unknown): H | undefined;
  /** Whether the handle points at a posted message yet (Slack's first post is the driver's). */
  hasMessage(handle: H): boolean;
  /** Posts a new message where the handle says and returns the handle of that message. */
  post(handle: H, rendered: R): Promise<H>;
  edit(handle: H, rendered: R, context: { message: JobMessage; final: boolean }): Promise<void>;
  /** After the final state is shown: files into a thread, a workflow's result. */
  finish?(handle: H, message: JobMessage): Promise<void>;
  /** When the handle stops working (ms since epoch); undefined: it does not expire. */
  expiresAt?(handle: H): number | undefined;
  /** The handle a dead one hands over to (same place, a longer-lived credential), before it is posted. */
  successor?(handle: H): H;
  /** Best effort: tells the old message where the job went on. */
  retire?(old: H, next: H, rendered: R): Promise<void>;
  classify(error: unknown): WriteFailure;
  save(jobId: string, handle: H): Promise<void>;
}
