import { GenerationError } from '../../../core/errors.js';
import { rejectionError, unreachableError } from './failures.js';
import { extraDataOf, historyEntrySchema, type HistoryEntry, type OutputFileRef } from './outputs.js';

/**
 * The HTTP half of the ComfyUI wire protocol (protocols.md section A). Every failure leaves here as
 * a GenerationError whose retry policy fits it, so the generator only decides what to do next.
 */
export interface ComfyUiEndpoint {
  /** Base URL without credentials, always ending in '/', so relative paths keep any proxy prefix. */
  base: URL;
  headers: Record<string, string>;
}

/** Credentials in COMFYUI_URL become a Basic header: fetch refuses them in URLs, and logs must not see them. */
export function parseEndpoint(baseUrl: string): ComfyUiEndpoint {
  const base = new URL(baseUrl);
  const headers: Record<string, string> = {};
  if (base.username || base.password) {
    const user = decodeURIComponent(base.username);
    const pass = decodeURIComponent(base.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return { base, headers };
}

/** 'duplicate' is a 409 from builds newer than 0.3.75; older ones run a known prompt_id again, so never rely on it. */
export type SubmitResult = { kind: 'accepted'; promptId: string } | { kind: 'duplicate' };

/** A prompt on the server's queue, with the extra_data it was sent with (client_id, our job_id and attempt). */
export interface QueueEntry {
  promptId: string;
  state: 'running' | 'pending';
  extra: Record<string, unknown>;
}

const BUSY_STATUSES = new Set([429, 503]);

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** Whether a network failure means nothing reached the server (so a retry cannot duplicate work). */
export function neverReachedServer(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export class ComfyUiHttp {
  private readonly endpoint: ComfyUiEndpoint;

  constructor(
    baseUrl: string,
    private readonly fetchImpl: typeof fetch,
    private readonly requestTimeoutMs = 30_000,
  ) {
    this.endpoint = parseEndpoint(baseUrl);
  }

  get base(): URL {
    return this.endpoint.base;
  }

  get headers(): Record<string, string> {
    return this.endpoint.headers;
  }

  url(path: string, query?: Record<string, string>): URL {
    const url = new URL(path, this.endpoint.base);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url;
  }

  private async request(path: string, init: { method?: string; json?: unknown; query?: Record<string, string>; timeoutMs?: number } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.endpoint.headers };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.fetchImpl(this.url(path, init.query), {
        method: init.method ?? 'GET',
        headers,
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
        signal: AbortSignal.timeout(init.timeoutMs ?? this.requestTimeoutMs),
      });
    } catch (error) {
      throw unreachableError(error);
    }
  }

  /** Answers other than success that say "not now": busy proxies, server errors. */
  private unexpected(response: Response, what: string): GenerationError {
    if (BUSY_STATUSES.has(response.status)) {
      const wait = retryAfterMs(response);
      return new GenerationError('backend_busy', {}, 'rate_limit', {
        cause: new Error(`${what}: HTTP ${response.status}`),
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      });
    }
    return new GenerationError('backend_error', {}, 'backoff', {
      cause: new Error(`${what}: HTTP ${response.status}`),
    });
  }

  private async json(response: Response): Promise<unknown> {
    try {
      return (await response.json()) as unknown;
    } catch (error) {
      throw new GenerationError('backend_error', {}, 'backoff', { cause: error, adminText: 'unreadable response' });
    }
  }

  async submit(body: { prompt: unknown; client_id: string; prompt_id: string; extra_data?: Record<string, unknown> }): Promise<SubmitResult> {
    const response = await this.request('prompt', { method: 'POST', json: body });
    if (response.status === 409) {
      await response.body?.cancel();
      return { kind: 'duplicate' };
    }
    if (response.status === 400) throw rejectionError(400, await this.json(response));
    if (!response.ok) {
      await response.body?.cancel();
      throw this.unexpected(response, 'POST /prompt');
    }
    const data = await this.json(response);
    const promptId = (data as { prompt_id?: unknown } | null)?.prompt_id;
    if (typeof promptId !== 'string' || promptId.length === 0) {
      throw new GenerationError('backend_error', {}, 'backoff', { cause: data, adminText: 'POST /prompt answered without a prompt_id' });
    }
    return { kind: 'accepted', promptId };
  }

  /** The finished entry, or undefined while the prompt is queued, running or unknown. */
  async history(promptId: string): Promise<HistoryEntry | undefined> {
    const response = await this.request(`history/${encodeURIComponent(promptId)}`);
    if (!response.ok) {
      await response.body?.cancel();
      throw this.unexpected(response, 'GET /history');
    }
    const data = (await this.json(response)) as Record<string, unknown> | null;
    const entry = data?.[promptId];
    if (entry === undefined) return undefined;
    const parsed = historyEntrySchema.safeParse(entry);
    if (!parsed.success) throw new GenerationError('backend_error', {}, 'backoff', { cause: parsed.error, adminText: 'unreadable /history entry' });
    return parsed.data;
  }

  /** Prompts running and waiting; items are [number, prompt_id, prompt, extra_data, outputs]. */
  async queue(): Promise<{ running: string[]; pending: string[]; entries: QueueEntry[] }> {
    const response = await this.request('queue');
    if (!response.ok) {
      await response.body?.cancel();
      throw this.unexpected(response, 'GET /queue');
    }
    const data = (await this.json(response)) as { queue_running?: unknown; queue_pending?: unknown } | null;
    const entries: QueueEntry[] = [];
    const read = (items: unknown, state: QueueEntry['state']) => {
      if (!Array.isArray(items)) return;
      for (const item of items) {
        if (Array.isArray(item) && typeof item[1] === 'string') entries.push({ promptId: item[1], state, extra: extraDataOf(item) });
      }
    };
    read(data?.queue_running, 'running');
    read(data?.queue_pending, 'pending');
    const ids = (state: QueueEntry['state']) => entries.filter((e) => e.state === state).map((e) => e.promptId);
    return { running: ids('running'), pending: ids('pending'), entries };
  }

  /**
   * POST /upload/image into the server's input folder (overwriting a file of the same name, so a
   * retried attempt sends its pictures again harmlessly). Returns the name a LoadImage node takes.
   */
  async uploadImage(name: string, data: Buffer, mime: string): Promise<string> {
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(data)], { type: mime }), name);
    form.set('type', 'input');
    form.set('overwrite', 'true');
    let response: Response;
    try {
      response = await this.fetchImpl(this.url('upload/image'), {
        method: 'POST',
        headers: { ...this.endpoint.headers },
        body: form,
        signal: AbortSignal.timeout(Math.max(this.requestTimeoutMs, 60_000)),
      });
    } catch (error) {
      throw unreachableError(error);
    }
    if (!response.ok) {
      await response.body?.cancel();
      // ComfyUI answers a refused upload with 400 and an empty body: our picture, not the server, is at fault.
      if (response.status === 400) throw new GenerationError('backend_rejected', { problem: 'image_upload_refused' }, 'never', { adminText: 'POST /upload/image: 400 (the server refused the picture)' });
      throw this.unexpected(response, 'POST /upload/image');
    }
    const body = (await this.json(response)) as { name?: unknown; subfolder?: unknown } | null;
    if (typeof body?.name !== 'string' || body.name.length === 0) {
      throw new GenerationError('backend_error', {}, 'backoff', { cause: body, adminText: 'POST /upload/image answered without a name' });
    }
    return typeof body.subfolder === 'string' && body.subfolder ? `${body.subfolder}/${body.name}` : body.name;
  }

  async view(ref: OutputFileRef): Promise<Buffer> {
    const response = await this.request('view', {
      query: { filename: ref.filename, subfolder: ref.subfolder, type: ref.type },
      timeoutMs: Math.max(this.requestTimeoutMs, 120_000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw this.unexpected(response, 'GET /view');
    }
    return Buffer.from(await response.arrayBuffer());
  }

  /**
   * From 0.3.57 ComfyUI interrupts only if this prompt is the one running; older builds interrupt
   * whatever runs, so callers check /queue first (PromptRun.cancelRemote).
   */
  async interrupt(promptId: string): Promise<void> {
    const response = await this.request('interrupt', { method: 'POST', json: { prompt_id: promptId }, timeoutMs: 5_000 });
    await response.body?.cancel();
    if (!response.ok) throw this.unexpected(response, 'POST /interrupt');
  }

  async deleteQueued(promptId: string): Promise<void> {
    const response = await this.request('queue', { method: 'POST', json: { delete: [promptId] }, timeoutMs: 5_000 });
    await response.body?.cancel();
    if (!response.ok) throw this.unexpected(response, 'POST /queue');
  }
}
