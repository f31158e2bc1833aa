import { EventEmitter } from 'node:events';
import type { InteractionRecord, StoredMessage } from './types.js';

export const DEFAULT_WAIT_MS = 5_000;

/**
 * Resolves with the first value `check` accepts: now, or after a later `event`. Rejects after `timeoutMs`
 * with a message naming what was awaited, so a missing edit fails the test instead of hanging it.
 */
export function waitFor<T>(
  emitter: EventEmitter,
  event: string | string[],
  check: () => T | undefined,
  what: string,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<T> {
  const now = check();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise<T>((resolve, reject) => {
    const onEvent = () => {
      const value = check();
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const events = Array.isArray(event) ? event : [event];
    const cleanup = () => {
      clearTimeout(timer);
      for (const e of events) emitter.off(e, onEvent);
    };
    for (const e of events) emitter.on(e, onEvent);
  });
}

export interface InteractionState extends InteractionRecord {
  applicationId: string;
  expiresAt: number;
  deadlineAt: number;
  acknowledged: boolean;
}

/**
 * Everything the fake has been sent. `messages` holds the current state of every message by id
 * (ephemeral ones too); channels list only what other users could see.
 * Events: 'message' (created), 'messageUpdate', 'messageDelete', 'callback', 'original', 'followUp', 'request'.
 */
export class Store extends EventEmitter {
  readonly messages = new Map<string, StoredMessage>();
  readonly channels = new Map<string, string[]>();
  readonly interactions = new Map<string, InteractionState>();
  readonly byToken = new Map<string, InteractionState>();
  /** Files users attached to command options (served by the CDN route like message attachments). */
  readonly optionFiles = new Map<string, { data: Buffer; contentType: string }>();
  /** Slash commands per scope ('global' or a guild id), as the last bulk overwrite left them. */
  readonly commands = new Map<string, Record<string, unknown>[]>();

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  channelMessages(channelId: string): StoredMessage[] {
    return (this.channels.get(channelId) ?? []).flatMap((id) => {
      const msg = this.messages.get(id);
      return msg && !msg.deleted ? [msg] : [];
    });
  }

  /** Stores a new message or a new state of one; keeps interaction records' @original current. */
  put(msg: StoredMessage, visible: boolean): void {
    const isNew = !this.messages.has(msg.id);
    this.messages.set(msg.id, msg);
    if (isNew && visible) {
      const list = this.channels.get(msg.channelId) ?? [];
      list.push(msg.id);
      this.channels.set(msg.channelId, list);
    }
    for (const record of this.interactions.values()) {
      if (record.original?.id === msg.id) record.original = msg;
    }
    this.emit(isNew ? 'message' : msg.deleted ? 'messageDelete' : 'messageUpdate', msg, visible);
  }

  /** Records a change of an interaction's @original (history + event). */
  setOriginal(record: InteractionState, msg: StoredMessage, visible: boolean): void {
    record.original = msg;
    record.edits.push(msg);
    this.put(msg, visible);
    this.emit('original', record, msg);
  }
}
