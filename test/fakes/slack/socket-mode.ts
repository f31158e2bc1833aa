/**
 * Socket Mode on the fake's own port, as @slack/socket-mode 3.x speaks it:
 *   apps.connections.open (Bearer = the xapp app token) -> {ok, url: ws://127.0.0.1:P/link/?ticket=..}
 *   the server's first frame is {"type":"hello", num_connections, debug_info, connection_info}
 *   envelopes {envelope_id, type, payload, accepts_response_payload}; the client acks {envelope_id, payload}.
 * The client pings every clientPingTimeout/3 and wants pongs (ws answers them); it drops the socket
 * when no server ping arrives within 30 s, so the fake pings every `pingIntervalMs`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { SlackApiError } from './args.js';
import type { SlashCommandInput } from './driver.js';
import { slashCommandPayload } from './slash-payload.js';
import type { FakeSlackState } from './state.js';

export interface SocketConnection {
  ticket: string;
  /** The app token apps.connections.open was called with. */
  appToken: string;
  openedAt: number;
  closedAt?: number;
  /** Server pings the client answered with a pong. */
  pongs: number;
  /** Pings from the client (it sends one every clientPingTimeout / 3 and wants a pong; ws sends it). */
  clientPings: number;
}

export interface SocketAck {
  envelopeId: string;
  /** What the app passed to ack() ({} when nothing). */
  payload: Record<string, unknown>;
  elapsedMs: number;
}

export interface FakeSocketMode {
  readonly appToken: string;
  readonly connections: readonly SocketConnection[];
  /** A slash_commands envelope with the HTTP form fields as a JSON object; resolves with the ack. */
  sendSlashCommand(input: SlashCommandInput, timeoutMs?: number): Promise<SocketAck & { sent: Record<string, string> }>;
  /** An `interactive` envelope (block_actions, view_submission... payload as given). */
  sendInteractive(payload: Record<string, unknown>, timeoutMs?: number): Promise<SocketAck>;
  /** Handles apps.connections.open; throws SlackApiError for a wrong token. */
  open(token: string | undefined): Record<string, unknown>;
  close(): Promise<void>;
}

export function attachSocketMode(state: FakeSlackState, server: Server, options: { appToken?: string; pingIntervalMs?: number } = {}): FakeSocketMode {
  const appToken = options.appToken ?? 'xapp-1-A0FAKEAPP1-1-fakeapptoken';
  const wss = new WebSocketServer({ noServer: true });
  const tickets = new Map<string, SocketConnection>();
  const connections: SocketConnection[] = [];
  const live = new Set<WebSocket>();
  const waiters = new Map<string, (payload: Record<string, unknown>) => void>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', state.baseUrl);
    const connection = tickets.get(url.searchParams.get('ticket') ?? '');
    if (url.pathname !== '/link/' || !connection) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    tickets.delete(connection.ticket); // a ticket is good for one connection
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, connection));
  });

  function accept(ws: WebSocket, connection: SocketConnection): void {
    live.add(ws);
    connections.push(connection);
    const ping = setInterval(() => ws.ping(), options.pingIntervalMs ?? 10_000);
    ws.on('pong', () => {
      connection.pongs += 1;
      state.changed('socket_pong');
    });
    ws.on('ping', () => {
      connection.clientPings += 1;
      state.changed('socket_ping');
    });
    ws.on('message', (data) => {
      try {
        const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (message.envelope_id) waiters.get(message.envelope_id)?.(message.payload ?? {});
      } catch (error) {
        state.internalErrors.push(new Error(`socket mode: unparsable client frame ${String(data)}: ${String(error)}`));
      }
    });
    ws.on('close', () => {
      clearInterval(ping);
      live.delete(ws);
      connection.closedAt = Date.now();
      state.changed('socket_closed');
    });
    ws.send(JSON.stringify({
      type: 'hello',
      num_connections: live.size,
      debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: state.identity.appId },
    }));
    state.changed('socket_opened');
  }

  function send(type: string, payload: Record<string, unknown>, timeoutMs: number): Promise<SocketAck> {
    const ws = [...live].at(-1);
    if (!ws) return Promise.reject(new Error('socket mode: no client connected'));
    const envelopeId = randomUUID();
    const started = performance.now();
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(envelopeId);
        reject(new Error(`socket mode: ${type} envelope ${envelopeId} not acked within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.set(envelopeId, (ackPayload) => {
        clearTimeout(timer);
        waiters.delete(envelopeId);
        state.changed('socket_ack');
        resolve({ envelopeId, payload: ackPayload, elapsedMs: performance.now() - started });
      });
      ws.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api' }));
    });
  }

  return {
    appToken,
    connections,
    open(token) {
      if (!token) throw new SlackApiError('not_authed');
      if (token === state.identity.botToken) throw new SlackApiError('not_allowed_token_type');
      if (token !== appToken) throw new SlackApiError('invalid_auth');
      const ticket = randomUUID();
      tickets.set(ticket, { ticket, appToken: token, openedAt: Date.now(), pongs: 0, clientPings: 0 });
      const wsBase = state.baseUrl.replace(/^http/, 'ws');
      return { url: `${wsBase}/link/?ticket=${ticket}&app_id=${state.identity.appId}` };
    },
    async sendSlashCommand(input, timeoutMs = 5000) {
      const { payload: sent } = slashCommandPayload(state, input);
      return { ...(await send('slash_commands', sent, timeoutMs)), sent };
    },
    sendInteractive: (payload, timeoutMs = 5000) => send('interactive', payload, timeoutMs),
    async close() {
      await new Promise<void>((resolve) => {
        for (const ws of live) ws.terminate();
        wss.close(() => resolve());
      });
    },
  };
}
