/**
 * Everything the fake remembers. Methods mutate it and call `changed()`, which wakes `waitFor`
 * waiters, so tests wait on events rather than on sleeps.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type {
  ApiCall, FakeChannelSeed, FakeFile, FakeSlackOptions, FakeUserSeed, FakeUsergroupSeed,
  FunctionCompletion, FunctionExecution, IssuedResponseUrl, IssuedTrigger, StoredMessage, StoredView,
} from './types.js';

export interface Identity {
  teamId: string;
  teamDomain: string;
  teamName: string;
  botToken: string;
  botUserId: string;
  botId: string;
  botName: string;
  appId: string;
}

export interface Limits {
  responseUrlMaxUses: number;
  responseUrlTtlMs: number;
  triggerTtlMs: number;
}

export class FakeSlackState extends EventEmitter {
  readonly identity: Identity;
  readonly limits: Limits;
  readonly now: () => number;
  readonly users = new Map<string, FakeUserSeed>();
  readonly usergroups = new Map<string, FakeUsergroupSeed>();
  readonly channels = new Map<string, FakeChannelSeed>();
  readonly messages: StoredMessage[] = [];
  readonly files = new Map<string, FakeFile>();
  readonly calls: ApiCall[] = [];
  readonly executions = new Map<string, FunctionExecution>();
  readonly completions: FunctionCompletion[] = [];
  readonly triggers = new Map<string, IssuedTrigger>();
  readonly responseUrls = new Map<string, IssuedResponseUrl>();
  readonly views = new Map<string, StoredView>();
  /** Pending injected 429s, per method, in order. */
  readonly rateLimits = new Map<string, number[]>();
  /** Exceptions inside the fake itself: a test should expect this to stay empty. */
  readonly internalErrors: Error[] = [];
  baseUrl = '';
  private lastTsMicros = 0;
  private counter = 0;

  constructor(options: FakeSlackOptions) {
    super();
    this.identity = {
      teamId: options.teamId ?? 'T0FAKE0001',
      teamDomain: options.teamDomain ?? 'fake-workspace',
      teamName: options.teamName ?? 'Fake Workspace',
      botToken: options.botToken ?? 'xoxb-fake-bot-token',
      botUserId: options.botUserId ?? 'U0FAKEBOT1',
      botId: options.botId ?? 'B0FAKEBOT1',
      botName: options.botName ?? 'anime-production',
      appId: options.appId ?? 'A0FAKEAPP1',
    };
    this.limits = {
      responseUrlMaxUses: options.responseUrlMaxUses ?? 5,
      responseUrlTtlMs: options.responseUrlTtlMs ?? 30 * 60_000,
      triggerTtlMs: options.triggerTtlMs ?? 3000,
    };
    this.now = options.now ?? Date.now;
    for (const user of options.users ?? []) this.users.set(user.id, user);
    for (const [id, seed] of Object.entries(options.usergroups ?? {})) {
      this.usergroups.set(id, Array.isArray(seed) ? { users: seed } : seed);
    }
    for (const seed of options.channels ?? []) {
      const channel = typeof seed === 'string' ? { id: seed } : seed;
      this.channels.set(channel.id, channel);
    }
    // Waiters come and go with tests; lifting the cap avoids a spurious leak warning.
    this.setMaxListeners(0);
  }

  changed(kind: string): void {
    this.emit('change', kind);
  }

  /** Slack ids: a type letter plus upper-case alphanumerics (e.g. F07ABC..., V0...). */
  newId(prefix: string): string {
    this.counter += 1;
    return `${prefix}0${this.counter.toString(36).toUpperCase().padStart(4, '0')}${randomBytes(3).toString('hex').toUpperCase()}`;
  }

  /** Message timestamps: 'seconds.micros', unique and strictly increasing like Slack's. */
  nextTs(): string {
    const micros = Math.max(Math.floor(this.now() * 1000), this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /** Channel ids plus DMs: Slack accepts a user id as `channel` and answers with the DM id. */
  resolveChannel(id: string | undefined): FakeChannelSeed | undefined {
    if (id === undefined) return undefined;
    const known = this.channels.get(id);
    if (known) return known;
    if (this.users.has(id)) {
      const dm: FakeChannelSeed = { id: `D${id.slice(1)}`, members: [id, this.identity.botUserId] };
      this.channels.set(dm.id, dm);
      return dm;
    }
    return undefined;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  issueTrigger(userId: string, viewId?: string): IssuedTrigger {
    // Slack's documented format: "12345.98765.abcd2358fdea".
    const trigger: IssuedTrigger = {
      trigger_id: `${Math.floor(this.now() / 1000)}.${this.counter++}.${randomBytes(16).toString('hex')}`,
      user_id: userId,
      issuedAt: this.now(),
      exchanged: false,
      ...(viewId ? { view_id: viewId } : {}),
    };
    this.triggers.set(trigger.trigger_id, trigger);
    return trigger;
  }

  issueResponseUrl(channel: string, userId: string, source?: IssuedResponseUrl['source']): IssuedResponseUrl {
    const id = `${this.identity.teamId}/${this.counter++}/${randomBytes(12).toString('hex')}`;
    const issued: IssuedResponseUrl = {
      id, url: `${this.baseUrl}/response/${id}`, channel, user_id: userId, issuedAt: this.now(), posts: [],
      ...(source ? { source } : {}),
    };
    this.responseUrls.set(id, issued);
    return issued;
  }

  startExecution(callbackId: string, inputs: Record<string, unknown>): FunctionExecution {
    const execution: FunctionExecution = {
      function_execution_id: this.newId('Fx'),
      workflow_execution_id: this.newId('Wx'),
      callback_id: callbackId,
      inputs,
      // Workflow tokens are 'xwfp-' tokens, distinct from the app's 'xoxb-' bot token.
      bot_access_token: `xwfp-${randomBytes(20).toString('hex')}`,
      state: 'running',
    };
    this.executions.set(execution.function_execution_id, execution);
    this.changed('execution');
    return execution;
  }

  tokenKind(token: string | undefined): 'bot' | 'function' | undefined {
    if (token === undefined) return undefined;
    if (token === this.identity.botToken) return 'bot';
    for (const execution of this.executions.values()) {
      if (execution.bot_access_token === token) return 'function';
    }
    return undefined;
  }

  /**
   * Resolves with the first truthy value of `probe`, re-checked on every change. Rejects after
   * `timeoutMs` with the probe's source, so a failing test says what it waited for.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = probe();
        } catch (error) {
          cleanup();
          reject(error instanceof Error ? error : new Error(String(error)));
          return true;
        }
        if (value === undefined || value === null || value === false) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake Slack: timed out after ${timeoutMs} ms waiting for ${probe.toString()}`));
      }, timeoutMs);
      const onChange = (): void => {
        check();
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('change', onChange);
      };
      this.on('change', onChange);
      check();
    });
  }
}
