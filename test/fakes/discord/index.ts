import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway } from './gateway.js';
import { DiscordHttpError, Errors, matchPath, readBody, send, type Route } from './http.js';
import { createInteraction, type InteractionSpec } from './interactions.js';
import { messageJson } from './messages.js';
import { parseBody } from './multipart.js';
import { RateLimiter, matches, type RouteMatcher } from './ratelimit.js';
import { botRoutes } from './rest-bot.js';
import { interactionRoutes, type Deps } from './rest-interactions.js';
import { DEFAULT_WAIT_MS, Store, waitFor } from './store.js';
import type { CallbackRecord, FakeDiscordOptions, InteractionRecord, Json, RequestRecord, StoredMessage } from './types.js';
import { buildWorld, type World } from './world.js';

export type { FakeDiscordOptions, InteractionRecord, StoredMessage, StoredAttachment, CallbackRecord, RequestRecord } from './types.js';
export type { InteractionSpec } from './interactions.js';
export type { RouteMatcher } from './ratelimit.js';

const GUILD_MESSAGES = 1 << 9;

/** What a test holds after dispatching an interaction: its payload, its record, and waits on what follows. */
export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly payload: Json;
  readonly record: InteractionRecord;
  /** The first accepted callback (deferReply, reply, showModal, ...). */
  callback(timeoutMs?: number): Promise<CallbackRecord>;
  /** The current or a later state of @original for which `predicate` holds (default: any). */
  original(predicate?: (msg: StoredMessage) => boolean, timeoutMs?: number): Promise<StoredMessage>;
  /** The next change of @original after this call. */
  nextEdit(timeoutMs?: number): Promise<StoredMessage>;
  /** The n-th follow-up (0-based), now or when it arrives. */
  followUp(index?: number, timeoutMs?: number): Promise<StoredMessage>;
}

export class FakeDiscord {
  readonly gateway: FakeGateway;
  /** Every REST request answered, in order, with its status. */
  readonly requests: RequestRecord[] = [];
  /** Exceptions thrown inside the fake itself (a bug in the fake, answered 500). */
  readonly internalErrors: unknown[] = [];
  private readonly store = new Store();
  private readonly limiter: RateLimiter;
  private readonly routes: Route<Deps>[] = [...interactionRoutes, ...botRoutes];
  private readonly deps: Deps;
  private readonly server: Server;

  constructor(private readonly world: World) {
    this.limiter = new RateLimiter(world.rateLimit);
    this.deps = { world, store: this.store, origin: '' };
    this.gateway = new FakeGateway(world, () => this.origin);
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.gateway.handleUpgrade(req, socket, head));
    this.forwardMessageEvents();
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.deps.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get origin(): string {
    return this.deps.origin;
  }
  /** Pass as `new Client({ rest: { api: fake.apiBase } })`. */
  get apiBase(): string {
    return `${this.origin}/api`;
  }
  get token(): string {
    return this.world.token;
  }
  get applicationId(): string {
    return this.world.applicationId;
  }
  get botUserId(): string {
    return this.world.bot.id;
  }
  get interactions(): ReadonlyMap<string, InteractionRecord> {
    return this.store.interactions;
  }

  /** Commands stored by the last bulk overwrite: global, or for one guild. */
  commands(guildId?: string): Json[] {
    return this.store.commands.get(guildId ?? 'global') ?? [];
  }

  channelMessages(channelId: string): StoredMessage[] {
    return this.store.channelMessages(channelId);
  }

  /** Current state of any message by id (ephemeral ones included). */
  message(id: string): StoredMessage | undefined {
    return this.store.messages.get(id);
  }

  /** Wire JSON of a stored message, as GET would return it. */
  messageJson(msg: StoredMessage): Json {
    return messageJson(this.world, msg);
  }

  /** A visible message in the channel (already there or still to come) for which `predicate` holds. */
  waitForMessage(channelId: string, predicate: (msg: StoredMessage) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<StoredMessage> {
    const check = () => this.store.channelMessages(channelId).find(predicate);
    return waitFor(this.store, ['message', 'messageUpdate'], check, `a message in channel ${channelId}`, timeoutMs);
  }

  /** The next gateway event ('identify', 'resumed', 'heartbeat', 'dispatch', 'connection', 'closed'). */
  async waitForGateway(event: string, timeoutMs = DEFAULT_WAIT_MS): Promise<unknown> {
    const [value] = (await once(this.gateway, event, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => {
      throw new Error(`fake discord: timed out after ${timeoutMs} ms waiting for gateway '${event}'`);
    })) as unknown[];
    return value;
  }

  /** A request (past or future) matching `matcher` and, if given, answered with `status`. */
  waitForRequest(matcher: RouteMatcher, status?: number, timeoutMs = DEFAULT_WAIT_MS): Promise<RequestRecord> {
    const check = () => this.requests.find((r) => matches(matcher, r.method, r.path) && (status === undefined || r.status === status));
    return waitFor(this.store, 'request', check, `a request matching ${String(matcher)}`, timeoutMs);
  }

  countRequests(matcher: RouteMatcher, status?: number): number {
    return this.requests.filter((r) => matches(matcher, r.method, r.path) && (status === undefined || r.status === status)).length;
  }

  /** The next matching request(s) answer 429 with retry_after; @discordjs/rest waits and retries. */
  rateLimitNext(matcher: RouteMatcher, retryAfterSeconds: number, opts?: { global?: boolean; times?: number }): void {
    this.limiter.rateLimitNext(matcher, retryAfterSeconds, opts);
  }

  /** The next `times` matching requests answer `status` (5xx: @discordjs/rest retries up to 3 times). */
  failNext(matcher: RouteMatcher, status = 500, times = 1): void {
    this.limiter.failNext(matcher, status, times);
  }

  /** Sends INTERACTION_CREATE on the gateway; the 3 s and 15 min clocks start now. */
  dispatchInteraction(spec: InteractionSpec): InteractionHandle {
    const record = createInteraction(this.world, this.store, spec, this.origin);
    this.gateway.dispatch('INTERACTION_CREATE', record.payload);
    const store = this.store;
    return {
      id: record.id,
      token: record.token,
      payload: record.payload,
      record,
      callback: (timeoutMs) =>
        waitFor(store, 'callback', () => record.callbacks.find((c) => c.status < 300), `a callback for interaction ${record.id}`, timeoutMs),
      original: (predicate = () => true, timeoutMs) =>
        waitFor(store, 'original', () => (record.original && predicate(record.original) ? record.original : undefined), `@original of ${record.id}`, timeoutMs),
      nextEdit: (timeoutMs) => {
        const seen = record.edits.length;
        return waitFor(store, 'original', () => record.edits[seen], `the next edit of @original of ${record.id}`, timeoutMs);
      },
      followUp: (index = 0, timeoutMs) =>
        waitFor(store, 'followUp', () => record.followUps[index], `follow-up #${index} of ${record.id}`, timeoutMs),
    };
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Real Discord echoes channel messages to bots holding GUILD_MESSAGES; so does the fake. */
  private forwardMessageEvents(): void {
    const extra = (msg: StoredMessage) => ({ guild_id: msg.guildId });
    this.store.on('message', (msg: StoredMessage, visible: boolean) => {
      if (visible) this.gateway.dispatch('MESSAGE_CREATE', { ...messageJson(this.world, msg), ...extra(msg) }, GUILD_MESSAGES);
    });
    this.store.on('messageUpdate', (msg: StoredMessage, visible: boolean) => {
      if (visible) this.gateway.dispatch('MESSAGE_UPDATE', { ...messageJson(this.world, msg), ...extra(msg) }, GUILD_MESSAGES);
    });
    this.store.on('messageDelete', (msg: StoredMessage, visible: boolean) => {
      if (visible) this.gateway.dispatch('MESSAGE_DELETE', { id: msg.id, channel_id: msg.channelId, ...extra(msg) }, GUILD_MESSAGES);
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const method = (req.method ?? 'GET').toUpperCase();
    // discord.js percent-encodes segments ('@original' arrives as '%40original'); match and log decoded.
    const rawPath = url.pathname.startsWith('/api/v10/') ? url.pathname.slice('/api/v10'.length) : url.pathname;
    const path = rawPath.split('/').map(safeDecode).join('/');
    const authorized = req.headers.authorization === `Bot ${this.world.token}`;
    let headers: Record<string, string> = {};
    let status = 500;
    try {
      if (method === 'GET' && url.pathname.startsWith('/attachments/')) {
        status = this.serveAttachment(url.pathname, res);
        return;
      }
      const candidates = this.routes.filter((r) => matchPath(r.pattern, path) !== undefined);
      const route = url.pathname.startsWith('/api/v10/') ? candidates.find((r) => r.method === method) : undefined;
      if (!route) throw candidates.length > 0 ? Errors.methodNotAllowed() : Errors.notFound();
      const params = matchPath(route.pattern, path) ?? {};
      if (route.auth && !authorized) throw Errors.unauthorized();
      headers = this.limiter.admit(method, path, route.pattern, route.major(params), route.limited);
      const parsed = await parseBody(req.headers, await readBody(req));
      const result = await route.handle(
        {
          params,
          query: url.searchParams,
          json: parsed.json && !Array.isArray(parsed.json) ? parsed.json : undefined,
          list: Array.isArray(parsed.json) ? parsed.json : undefined,
          files: parsed.files,
        },
        this.deps,
      );
      status = result.status;
      send(res, result.status, result.body, headers);
    } catch (error) {
      if (error instanceof DiscordHttpError) {
        status = error.status;
        send(res, error.status, error.body, { ...headers, ...error.headers });
      } else {
        this.internalErrors.push(error);
        send(res, 500, { message: '500: Internal Server Error', code: 0 });
      }
    } finally {
      this.requests.push({ method, path, query: url.searchParams, status, at: Date.now(), authorized });
      this.store.emit('request');
    }
  }

  private serveAttachment(pathname: string, res: ServerResponse): number {
    const [, , , attachmentId] = pathname.split('/');
    const optionFile = this.store.optionFiles.get(attachmentId ?? '');
    if (optionFile) {
      res.writeHead(200, { 'Content-Type': optionFile.contentType }).end(optionFile.data);
      return 200;
    }
    for (const msg of this.store.messages.values()) {
      const found = msg.attachments.find((a) => a.id === attachmentId);
      if (found) {
        res.writeHead(200, { 'Content-Type': found.contentType ?? 'application/octet-stream' }).end(found.data);
        return 200;
      }
    }
    res.writeHead(404).end();
    return 404;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Starts a fake Discord (REST + gateway) on 127.0.0.1 with an ephemeral port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const fake = new FakeDiscord(buildWorld(options));
  await fake.listen();
  return fake;
}
