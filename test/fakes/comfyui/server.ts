import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { executePrompt, InterruptedError, type Prompt, type ScriptedFailure } from './executor.js';
import { FileStore } from './files.js';
import { renderPreview } from './media.js';
import { installedNodes, type NodeContext, type NodeDef } from './nodes.js';
import { validatePrompt } from './validate.js';
import { handleHttp } from './routes.js';

/**
 * A fake ComfyUI server speaking protocols.md section A over real sockets: HTTP routes (also under
 * /api), the /ws socket with per-client routing, a one-at-a-time prompt queue, real image files,
 * and scriptable failure modes. Tests assert on what it received and stored.
 */
export interface FakeComfyUiOptions {
  /** 2024 builds: ignore the client's prompt_id and mint one; no UUID check, no 409. */
  legacyPromptIds?: boolean;
  /**
   * What a prompt_id the server already has gets. 'rerun' (default, 0.3.64 as recorded in
   * ../shared/comfyui-real/transcripts/duplicate_prompt_id.json, and every build through 0.3.75): 200,
   * it runs again and its history entry is overwritten; any string is accepted as an id.
   * 'reject' (builds after 0.3.75): the id must be a canonical lowercase UUID, a known one gets 409.
   */
  duplicateIds?: 'rerun' | 'reject';
  /** Builds before 0.3.57 (e.g. 0.3.54): POST /interrupt ignores its prompt_id and stops whatever runs. */
  globalInterrupt?: boolean;
  /** Like --preview-method auto: binary preview frames after each sampling step. */
  previews?: boolean;
  /** Newer builds also send progress_state; default true. */
  progressState?: boolean;
  stepDelayMs?: number;
  /** The checkpoints this server has (default: nodes.ts CHECKPOINTS). */
  checkpoints?: string[];
  /** Node classes this server lacks (e.g. the animation savers on an image-only box). */
  withoutNodes?: string[];
  /** Listen on this port (a restarted server comes back where it was); default: any free port. */
  port?: number;
}

/** [number, prompt_id, prompt, extra_data, outputs_to_execute] */
export type QueueItem = [number, string, Prompt, Record<string, unknown>, string[]];

export interface ReceivedPrompt {
  body: Record<string, unknown>;
  status: number;
  promptId?: string;
}

interface Client {
  ws: WebSocket;
  featureFlags: Record<string, unknown> | undefined;
}

export class FakeComfyUi {
  readonly events = new EventEmitter();
  readonly files = new FileStore();
  readonly history = new Map<string, Record<string, unknown>>();
  readonly received = {
    prompts: [] as ReceivedPrompt[],
    interrupts: [] as Array<{ promptId: string | undefined; applied: boolean }>,
    queueDeletes: [] as string[],
    sockets: [] as Array<{ clientId: string; featureFlags?: Record<string, unknown> }>,
    requests: [] as Array<{ method: string; path: string }>,
    uploads: [] as Array<{ name: string; subfolder: string; type: string; overwrite: boolean; data: Buffer }>,
  };
  /** Knobs a test flips while the fake runs. */
  readonly script = {
    failure: undefined as ScriptedFailure | undefined,
    cachedNodes: new Set<string>(),
    dropNextPromptResponse: false,
    /** Seconds of Retry-After in a 503 to every POST /prompt, as a proxy before an overloaded box answers; undefined: not busy. */
    busyRetryAfterS: undefined as number | undefined,
    rejectWebSockets: false,
    stepDelayMs: 0,
    previews: false,
    /** Seeds whose VAE decode comes out all black, as a NaN in a real VAE (fp16 SDXL VAEs) makes it. */
    blackFor: (_seed: number): boolean => false,
  };
  readonly pending: QueueItem[] = [];
  running: QueueItem | undefined;
  number = 0;
  lastNodeId: string | undefined;
  private nodeStates: { states: Map<string, { value: number; max: number; state: string }>; send(): void } | undefined;
  readonly clients = new Map<string, Client>();
  private interruptFlag = false;
  private hold = false;
  private permits = 0;
  private waiters: Array<() => void> = [];
  private closing = false;
  private runLoop: Promise<void> = Promise.resolve();
  private crash: unknown;
  private readonly wss = new WebSocketServer({ noServer: true });
  /** What /object_info describes and POST /prompt validates against. */
  readonly nodeDefs: Record<string, NodeDef>;

  private constructor(
    private readonly server: Server,
    readonly options: FakeComfyUiOptions,
  ) {
    this.script.stepDelayMs = options.stepDelayMs ?? 0;
    this.script.previews = options.previews ?? false;
    this.nodeDefs = installedNodes(options);
  }

  static async start(options: FakeComfyUiOptions = {}): Promise<FakeComfyUi> {
    const server = createServer();
    const fake = new FakeComfyUi(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => fake.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    return fake;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  // ---- test controls -------------------------------------------------------------------------

  /** Sampling steps wait until the test releases them. */
  holdSteps(): void {
    this.hold = true;
  }

  releaseSteps(count = 1): void {
    this.permits += count;
    this.wake();
  }

  releaseAllSteps(): void {
    this.hold = false;
    this.wake();
  }

  /** Drops every websocket as a network blip would; clients may reconnect. */
  disconnectSockets(): void {
    for (const client of this.clients.values()) client.ws.terminate();
  }

  /** Resolves on the next `event` whose payload passes `accept`. Register before triggering it. */
  waitFor<T = unknown>(event: string, accept: (payload: T) => boolean = () => true): Promise<T> {
    return new Promise((resolve) => {
      const listener = (payload: T) => {
        if (!accept(payload)) return;
        this.events.off(event, listener);
        resolve(payload);
      };
      this.events.on(event, listener);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.interruptFlag = true;
    this.pending.length = 0;
    this.wake();
    for (const client of this.clients.values()) client.ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.runLoop;
    if (this.crash) throw this.crash;
  }

  // ---- queue and execution -------------------------------------------------------------------

  queueRemaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  knows(promptId: string): boolean {
    return this.history.has(promptId) || this.running?.[1] === promptId || this.pending.some((item) => item[1] === promptId);
  }

  enqueue(item: QueueItem): void {
    this.pending.push(item);
    this.pending.sort((a, b) => a[0] - b[0]);
    this.queueUpdated();
    this.events.emit('queued', item[1]);
    this.runLoop = this.runLoop.then(() => this.drain()).catch((error: unknown) => {
      this.crash = error;
    });
  }

  deleteQueued(promptId: string): void {
    const index = this.pending.findIndex((item) => item[1] === promptId);
    if (index >= 0) {
      this.pending.splice(index, 1);
      this.queueUpdated();
    }
  }

  interrupt(promptId: string | undefined): boolean {
    const applies = promptId === undefined || this.options.globalInterrupt === true || this.running?.[1] === promptId;
    this.received.interrupts.push({ promptId, applied: applies && this.running !== undefined });
    if (applies) {
      this.interruptFlag = true;
      this.wake();
    }
    return applies;
  }

  private async drain(): Promise<void> {
    while (!this.closing && !this.running && this.pending.length > 0) {
      const item = this.pending.shift()!;
      this.running = item;
      this.queueUpdated();
      await this.execute(item);
    }
  }

  private async execute(item: QueueItem): Promise<void> {
    const [, promptId, prompt, extraData, outputsToExecute] = item;
    const clientId = typeof extraData.client_id === 'string' ? extraData.client_id : undefined;
    const messages: Array<[string, Record<string, unknown>]> = [];
    this.interruptFlag = false; // reset at the start of every prompt, as execute_async does
    this.events.emit('execution-start', promptId);
    // progress_state carries every node seen so far: running when it starts, finished when done.
    const states = new Map<string, { value: number; max: number; state: string }>();
    const sendStates = () => {
      if (this.options.progressState === false || clientId === undefined) return;
      const nodes = Object.fromEntries(
        [...states].map(([id, s]) => [id, { ...s, node_id: id, prompt_id: promptId, display_node_id: id, parent_node_id: null, real_node_id: id }]),
      );
      this.send('progress_state', { prompt_id: promptId, nodes }, clientId);
    };
    this.nodeStates = { states, send: sendStates };
    const result = await executePrompt(prompt, outputsToExecute, {
      promptId,
      cachedNodes: this.script.cachedNodes,
      failure: this.script.failure,
      interrupted: () => this.interruptFlag,
      onNode: (id) => {
        this.lastNodeId = id;
        states.set(id, { value: 0, max: 1, state: 'running' });
        sendStates();
      },
      onNodeDone: (id) => {
        const state = states.get(id);
        if (state) states.set(id, { ...state, value: state.max, state: 'finished' });
        sendStates();
      },
      context: (nodeId, cached) => this.nodeContext(promptId, clientId, nodeId, cached),
      emit: (event, data, kind) => {
        if (kind.status) messages.push([event, data]);
        // add_message: only sent when the prompt has a client_id, unless marked broadcast.
        if (clientId !== undefined || kind.broadcast) this.send(event, data, clientId);
      },
    });
    this.history.set(promptId, {
      prompt: item,
      outputs: result.outputs,
      status: { status_str: result.success ? 'success' : 'error', completed: result.success, messages },
      meta: result.meta,
    });
    this.events.emit('finished', { promptId, success: result.success });
    this.running = undefined;
    this.lastNodeId = undefined;
    this.nodeStates = undefined;
    // As recorded: status (queue_remaining 0) first, then executing null, sent only after task_done
    // wrote the history and only to the prompt's own client.
    this.queueUpdated();
    if (clientId !== undefined) this.send('executing', { node: null, prompt_id: promptId }, clientId);
  }

  private nodeContext(promptId: string, clientId: string | undefined, nodeId: string, cached: boolean): NodeContext {
    return {
      save: (type, prefix, extension, data, trailing) => this.files.save(type, prefix, extension, data, trailing),
      input: (name) => this.files.get('input', '', name),
      decodesBlack: (seed) => this.script.blackFor(seed),
      step: async (value, max, seed) => {
        if (cached) return;
        await this.gate();
        if (this.interruptFlag) throw new InterruptedError();
        // hijack_progress sends to the prompt's client, or to everyone when there is none.
        this.send('progress', { value, max, prompt_id: promptId, node: nodeId }, clientId);
        const states = this.nodeStates?.states;
        if (states) {
          states.set(nodeId, { value, max, state: 'running' });
          this.nodeStates!.send();
        }
        if (this.script.previews) this.sendPreview(await renderPreview(seed, value), promptId, nodeId, clientId);
        this.events.emit('step', { promptId, node: nodeId, value, max });
      },
    };
  }

  private async gate(): Promise<void> {
    while (this.hold && this.permits === 0 && !this.interruptFlag && !this.closing) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.hold && this.permits > 0) this.permits--;
    if (this.script.stepDelayMs > 0) await delay(this.script.stepDelayMs);
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  // ---- websocket -----------------------------------------------------------------------------

  /** server.send_sync: to one client id, or to every socket when sid is undefined. */
  send(event: string, data: Record<string, unknown>, sid: string | undefined): void {
    const text = JSON.stringify({ type: event, data });
    const targets = sid === undefined ? [...this.clients.values()] : [this.clients.get(sid)].filter((c): c is Client => c !== undefined);
    for (const client of targets) client.ws.send(text);
  }

  private sendPreview(jpeg: Buffer, promptId: string, nodeId: string, sid: string | undefined): void {
    const targets = sid === undefined ? [...this.clients.values()] : [this.clients.get(sid)].filter((c): c is Client => c !== undefined);
    for (const client of targets) {
      let frame: Buffer;
      if (client.featureFlags?.supports_preview_metadata === true) {
        const meta = Buffer.from(JSON.stringify({ node_id: nodeId, prompt_id: promptId, display_node_id: nodeId, parent_node_id: null, real_node_id: nodeId, image_type: 'image/jpeg' }));
        const head = Buffer.alloc(8);
        head.writeUInt32BE(4, 0);
        head.writeUInt32BE(meta.length, 4);
        frame = Buffer.concat([head, meta, jpeg]);
      } else {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(1, 0);
        head.writeUInt32BE(1, 4); // image_type 1 = JPEG
        frame = Buffer.concat([head, jpeg]);
      }
      client.ws.send(frame);
      this.events.emit('preview', { clientId: sid, type: frame.readUInt32BE(0) });
    }
  }

  private queueUpdated(): void {
    this.send('status', { status: { exec_info: { queue_remaining: this.queueRemaining() } } }, undefined);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if ((url.pathname !== '/ws' && url.pathname !== '/api/ws') || this.script.rejectWebSockets || this.closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, url.searchParams.get('clientId') || randomBytes(16).toString('hex')));
  }

  private onSocket(ws: WebSocket, sid: string): void {
    const client: Client = { ws, featureFlags: undefined };
    const record: { clientId: string; featureFlags?: Record<string, unknown> } = { clientId: sid };
    this.received.sockets.push(record);
    this.clients.set(sid, client);
    let first = true;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let parsed: { type?: unknown; data?: unknown };
      try {
        parsed = JSON.parse(String(data)) as typeof parsed;
      } catch {
        return; // the real server logs and ignores bad JSON
      }
      if (first && parsed.type === 'feature_flags' && typeof parsed.data === 'object' && parsed.data !== null) {
        client.featureFlags = parsed.data as Record<string, unknown>;
        record.featureFlags = client.featureFlags;
        ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true, max_upload_size: 104857600 } }));
      }
      first = false;
    });
    // Like server.py's `finally: sockets.pop(sid)`: whichever socket with this id closes removes the entry.
    ws.on('close', () => this.clients.delete(sid));
    ws.on('error', () => ws.terminate());
    ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: this.queueRemaining() } }, sid } }));
    // On reconnect, the running prompt's client is told which node is executing (no prompt_id).
    if (this.running?.[3].client_id === sid && this.lastNodeId !== undefined) ws.send(JSON.stringify({ type: 'executing', data: { node: this.lastNodeId } }));
    this.events.emit('socket', sid);
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await handleHttp(this, req, res);
    } catch (error) {
      this.crash ??= error;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('500 Internal Server Error\n\nServer got itself in trouble');
    }
  }

  /** POST /prompt after the body is parsed; returns [status, body] or 'drop' to cut the connection. */
  submit(body: Record<string, unknown>): [number, unknown] {
    const record: ReceivedPrompt = { body, status: 0 };
    this.received.prompts.push(record);
    const answer = (status: number, payload: unknown): [number, unknown] => {
      record.status = status;
      return [status, payload];
    };
    let number = this.number;
    if ('number' in body) number = Number(body.number);
    else {
      if (body.front === true) number = -number;
      this.number++;
    }
    if (!('prompt' in body)) {
      return answer(400, { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} });
    }
    let promptId: string;
    const supplied = body.prompt_id;
    if (this.options.legacyPromptIds || supplied === undefined || supplied === null) promptId = randomUUID();
    else if (this.options.duplicateIds !== 'reject') promptId = String(supplied); // server.py: str(json_data.get("prompt_id", uuid4()))
    else if (typeof supplied !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(supplied)) {
      const error = {
        type: 'invalid_prompt_id',
        message: 'prompt_id must be a valid UUID',
        details: 'prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one',
        extra_info: {},
      };
      return answer(400, { error, node_errors: {} });
    } else if (this.knows(supplied)) return answer(409, { error: 'prompt_id already exists' });
    else promptId = supplied;
    record.promptId = promptId;

    const result = validatePrompt(body.prompt, this.nodeDefs, { inputExists: (name) => this.files.get('input', '', name) !== undefined });
    if (!result.ok) return answer(400, { error: result.error, node_errors: result.nodeErrors });
    const extraData = typeof body.extra_data === 'object' && body.extra_data !== null ? { ...(body.extra_data as Record<string, unknown>) } : {};
    if ('client_id' in body) extraData.client_id = body.client_id;
    extraData.create_time = Date.now();
    this.enqueue([number, promptId, structuredClone(body.prompt) as Prompt, extraData, result.outputs]);
    return answer(200, { prompt_id: promptId, number, node_errors: result.nodeErrors });
  }
}
