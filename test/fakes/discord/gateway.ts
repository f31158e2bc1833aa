import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { guildCreateJson, userJson } from './payloads.js';
import { sessionId } from './snowflake.js';
import type { Json } from './types.js';
import type { World } from './world.js';

/** GatewayIntentBits that need a switch in the developer portal. */
const PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15);
const GUILD_MEMBERS = 1 << 1;

interface Session {
  id: string;
  seq: number;
  intents: number;
  /** Every dispatch of the session, kept for RESUME replay. */
  sent: { op: 0; t: string; s: number; d: unknown }[];
  conn: Connection | undefined;
}

interface Connection {
  ws: WebSocket;
  path: string;
  session: Session | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;
}

/**
 * The gateway as @discordjs/ws speaks it: HELLO, heartbeat ACKs, IDENTIFY -> READY + GUILD_CREATE,
 * RESUME -> replay + RESUMED, Discord's close codes. Events: 'connection' (path), 'identify', 'resumed',
 * 'heartbeat', 'dispatch', 'closed' (code).
 */
export class FakeGateway extends EventEmitter {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly conns = new Set<Connection>();
  heartbeats = 0;
  identifies = 0;
  resumes = 0;

  constructor(
    private readonly world: World,
    private readonly origin: () => string,
  ) {
    super();
    this.setMaxListeners(0);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    if (url.pathname !== '/gateway' && url.pathname !== '/gateway-resume') {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url));
  }

  private accept(ws: WebSocket, url: URL): void {
    const conn: Connection = { ws, path: url.pathname, session: undefined, heartbeatTimer: undefined };
    this.conns.add(conn);
    ws.on('close', (code) => this.onClose(conn, code));
    ws.on('message', (data, isBinary) => this.onMessage(conn, data.toString(), isBinary));
    this.emit('connection', url.pathname);
    if (url.searchParams.get('v') !== '10') return this.closeConn(conn, 4012, 'Invalid API version');
    // The fake speaks plain JSON only; zlib-stream would need zlib-sync on the client (not installed).
    if (url.searchParams.get('encoding') !== 'json' || url.searchParams.has('compress')) {
      return this.closeConn(conn, 4002, 'Error while decoding payload.');
    }
    this.send(conn, { op: 10, d: { heartbeat_interval: this.world.heartbeatIntervalMs } });
    this.armHeartbeatDeadline(conn);
  }

  /** Discord drops a connection that stops heartbeating; the grace here is generous so slow CI never trips it. */
  private armHeartbeatDeadline(conn: Connection): void {
    clearTimeout(conn.heartbeatTimer);
    conn.heartbeatTimer = setTimeout(() => this.closeConn(conn, 4009, 'Session timed out'), this.world.heartbeatIntervalMs * 2 + 5_000);
    conn.heartbeatTimer.unref();
  }

  private onMessage(conn: Connection, text: string, isBinary: boolean): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary) throw new Error('binary');
      payload = JSON.parse(text) as { op?: unknown; d?: unknown };
    } catch {
      return this.closeConn(conn, 4002, 'Error while decoding payload.');
    }
    const d = (payload.d ?? {}) as Json;
    switch (payload.op) {
      case 1:
        this.heartbeats++;
        this.armHeartbeatDeadline(conn);
        this.send(conn, { op: 11 });
        this.emit('heartbeat', payload.d);
        return;
      case 2:
        return this.identify(conn, d);
      case 6:
        return this.resume(conn, d);
      case 3:
      case 4:
      case 8:
        // Presence, voice state and member requests: accepted, not modelled.
        if (!conn.session) return this.closeConn(conn, 4003, 'Not authenticated.');
        return;
      default:
        return this.closeConn(conn, 4001, 'Unknown opcode.');
    }
  }

  private identify(conn: Connection, d: Json): void {
    if (conn.session) return this.closeConn(conn, 4005, 'Already authenticated.');
    if (d.token !== this.world.token) return this.closeConn(conn, 4004, 'Authentication failed.');
    const shard = d.shard as unknown;
    if (shard !== undefined && (!Array.isArray(shard) || shard[0] !== 0 || shard[1] !== 1)) {
      return this.closeConn(conn, 4010, 'Invalid shard.');
    }
    if (typeof d.intents !== 'number') return this.closeConn(conn, 4013, 'Invalid intent(s).');
    if ((d.intents & PRIVILEGED & ~this.world.privilegedIntents) !== 0) return this.closeConn(conn, 4014, 'Disallowed intent(s).');
    if (d.compress === true) return this.closeConn(conn, 4002, 'Error while decoding payload.');
    const session: Session = { id: sessionId(), seq: 0, intents: d.intents, sent: [], conn };
    conn.session = session;
    this.sessions.set(session.id, session);
    this.identifies++;
    const { world } = this;
    this.dispatchTo(session, 'READY', {
      v: 10,
      user: { ...userJson(world.bot, true), verified: true, mfa_enabled: false, email: null },
      guilds: [...world.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.origin().replace(/^http/, 'ws') + '/gateway-resume',
      shard: [0, 1],
      application: { id: world.applicationId, flags: 0 },
      presences: [],
      private_channels: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      _trace: ['["fake-discord",{"micros":0}]'],
    });
    for (const guild of world.guilds.values()) {
      this.dispatchTo(session, 'GUILD_CREATE', guildCreateJson(world, guild, (d.intents & GUILD_MEMBERS) !== 0));
    }
    this.emit('identify', d);
  }

  private resume(conn: Connection, d: Json): void {
    if (conn.session) return this.closeConn(conn, 4005, 'Already authenticated.');
    if (d.token !== this.world.token) return this.closeConn(conn, 4004, 'Authentication failed.');
    const session = this.sessions.get(String(d.session_id));
    const seq = Number(d.seq);
    if (!session || !(seq <= session.seq)) {
      // Not resumable: the client must IDENTIFY afresh.
      this.send(conn, { op: 9, d: false });
      return;
    }
    if (session.conn && session.conn !== conn) this.closeConn(session.conn, 4000, 'Session resumed elsewhere');
    session.conn = conn;
    conn.session = session;
    for (const payload of session.sent) if (payload.s > seq) this.send(conn, payload);
    this.resumes++;
    this.dispatchTo(session, 'RESUMED', {});
    this.emit('resumed', d);
  }

  private onClose(conn: Connection, code: number): void {
    clearTimeout(conn.heartbeatTimer);
    this.conns.delete(conn);
    const session = conn.session;
    if (session && session.conn === conn) {
      session.conn = undefined;
      // A client-side 1000/1001 close ends the session for good; anything else may be resumed.
      if (code === 1000 || code === 1001) this.sessions.delete(session.id);
    }
    this.emit('closed', code);
  }

  private send(conn: Connection, payload: unknown): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(payload));
  }

  private closeConn(conn: Connection, code: number, reason: string): void {
    if (conn.ws.readyState === WebSocket.OPEN || conn.ws.readyState === WebSocket.CONNECTING) conn.ws.close(code, reason);
  }

  /** Sequenced dispatch; buffered while the client is disconnected and replayed on RESUME, like Discord. */
  private dispatchTo(session: Session, t: string, d: unknown): void {
    session.seq++;
    const payload = { op: 0 as const, t, s: session.seq, d };
    session.sent.push(payload);
    if (session.conn) this.send(session.conn, payload);
    this.emit('dispatch', payload);
  }

  /** Sends a dispatch to every live session (intent filter optional: events Discord gates behind an intent). */
  dispatch(t: string, d: unknown, intent?: number): void {
    for (const session of this.sessions.values()) {
      if (intent === undefined || (session.intents & intent) !== 0) this.dispatchTo(session, t, d);
    }
  }

  get connected(): boolean {
    return [...this.sessions.values()].some((s) => s.conn !== undefined);
  }

  /** op 7: Discord asks the client to reconnect and resume (a routine event in production). */
  requestReconnect(): void {
    for (const conn of this.conns) this.send(conn, { op: 7, d: null });
  }

  /** Drops every connection with `code` (default 4000, unknown error: the client resumes). */
  dropConnections(code = 4000): void {
    for (const conn of this.conns) this.closeConn(conn, code, 'fake discord: dropped by test');
  }

  /** op 9 INVALID_SESSION; `resumable` false forces a fresh IDENTIFY. */
  invalidateSession(resumable: boolean): void {
    for (const conn of this.conns) {
      if (!resumable && conn.session) this.sessions.delete(conn.session.id);
      this.send(conn, { op: 9, d: resumable });
    }
  }

  async close(): Promise<void> {
    for (const conn of this.conns) {
      clearTimeout(conn.heartbeatTimer);
      conn.ws.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
