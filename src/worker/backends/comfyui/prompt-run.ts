import { randomUUID } from 'node:crypto';
import { GenerationError, JobCancelledError } from '../../../core/errors.js';
import type { GeneratedFile, GenerationInput, ProgressReport } from '../../../core/generator.js';
import { neverReachedServer, type ComfyUiHttp } from './client.js';
import { executionError, interruptedError } from './failures.js';
import { collectOutputFiles, kindOf, mimeOf, statusMessages, type HistoryEntry } from './outputs.js';
import { ComfyUiSocket, type ComfyMessage, type PreviewFrame } from './socket.js';
import type { ApiWorkflow, WorkflowRoles } from './workflow.js';

export interface RunLogger {
  warn(details: object, message: string): void;
}

export interface RunSettings {
  http: ComfyUiHttp;
  timeoutMs: number;
  pollIntervalMs: number;
  previewMetadata: boolean;
  logger: RunLogger;
  onPreview?: (preview: PreviewFrame) => void;
}

type Outcome =
  | { kind: 'finished'; entry?: HistoryEntry }
  | { kind: 'failed'; error: Error }
  | { kind: 'cancel' }
  | { kind: 'timeout' };

const STAGES: Array<[RegExp, string]> = [
  [/^CheckpointLoader|^UNETLoader|^VAELoader|^CLIPLoader/, 'loading model'],
  [/^LoraLoader/, 'loading LoRA'],
  [/^CLIPTextEncode/, 'encoding prompt'],
  [/^KSampler|Sampler/, 'sampling'],
  [/^VAEDecode/, 'decoding'],
  [/^Save|^PreviewImage|^VHS_VideoCombine/, 'saving'],
];

function stageOf(classType: string | undefined): string {
  return STAGES.find(([pattern]) => classType !== undefined && pattern.test(classType))?.[1] ?? 'processing';
}

/**
 * One prompt on one ComfyUI server: our own client_id (so progress comes only to our socket) and
 * prompt_id (so a resubmission is idempotent), progress from `progress` frames, completion on
 * `executing {node: null}`, outputs from /history and /view. A lost socket falls back to polling.
 */
export class PromptRun {
  private readonly clientId = randomUUID();
  private readonly requestedId = randomUUID();
  private promptId: string | undefined;
  private socket: ComfyUiSocket | undefined;
  private buffered: ComfyMessage[] = [];
  private outcome: Outcome | undefined;
  private resolveOutcome!: (outcome: Outcome) => void;
  private readonly outcomePromise = new Promise<Outcome>((resolve) => (this.resolveOutcome = resolve));
  private started = false;
  private samplerStarted = false;
  private samplerDone = false;
  private step = 0;
  private totalSteps: number;
  private polling: NodeJS.Timeout | undefined;
  private reconnecting: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 250;
  private pollFailures = 0;

  constructor(
    private readonly settings: RunSettings,
    private readonly input: GenerationInput,
    private readonly workflow: ApiWorkflow,
    private readonly roles: WorkflowRoles,
    private readonly onProgress: (report: ProgressReport) => void,
    /** GPU time accounting: the prompt left the server's queue ('started') and the run ended ('stopped'). */
    private readonly onBackendWork?: (phase: 'started' | 'stopped') => void,
  ) {
    this.totalSteps = Math.max(1, input.steps);
  }

  async execute(signal: AbortSignal): Promise<GeneratedFile[]> {
    if (signal.aborted) throw new JobCancelledError();
    const timer = setTimeout(() => this.settle({ kind: 'timeout' }), this.settings.timeoutMs);
    const onAbort = () => this.settle({ kind: 'cancel' });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.openSocket();
      // Cancelled or out of time before anything was queued: nothing to undo on the server.
      if (this.outcome?.kind === 'cancel') throw new JobCancelledError();
      if (this.outcome?.kind === 'timeout') throw new GenerationError('backend_timeout', 'The image server did not answer in time; the job will be retried.', 'backoff');
      await this.submit();
      for (const message of this.buffered.splice(0)) this.handle(message);
      if (!this.socket) this.startPolling();
      const outcome = await this.outcomePromise;
      switch (outcome.kind) {
        case 'finished':
          return await this.collect(outcome.entry);
        case 'failed':
          throw outcome.error;
        case 'cancel':
          await this.cancelRemote();
          throw new JobCancelledError();
        case 'timeout':
          throw await this.timeoutRemote();
      }
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      this.dispose();
    }
  }

  /** Ends the run from outside (generator closing); the job will be retried elsewhere. */
  abandon(): void {
    this.settle({ kind: 'failed', error: new GenerationError('backend_closed', 'The image server connection was closed; the job will be retried.', 'backoff') });
  }

  private settle(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    // The server's work on our prompt is over (fetching the files is not GPU time).
    if (this.started) this.onBackendWork?.('stopped');
    this.resolveOutcome(outcome);
  }

  private markStarted(): void {
    if (this.started) return;
    this.started = true;
    this.onBackendWork?.('started');
  }

  private dispose(): void {
    clearTimeout(this.polling);
    clearTimeout(this.reconnecting);
    this.polling = undefined;
    this.reconnecting = undefined;
    this.socket?.close();
    this.socket = undefined;
  }

  private async openSocket(): Promise<void> {
    const { http, previewMetadata } = this.settings;
    try {
      this.socket = await ComfyUiSocket.connect(
        http.base,
        http.headers,
        this.clientId,
        { previewMetadata, timeoutMs: Math.min(5_000, this.settings.timeoutMs) },
        {
          onMessage: (message) => (this.promptId === undefined ? this.buffered.push(message) : this.handle(message)),
          onPreview: (preview) => this.settings.onPreview?.(preview),
          onClose: () => this.socketLost(),
        },
      );
      this.reconnectDelayMs = 250;
    } catch (error) {
      // Without a socket the run still completes by polling; submit() tells us if the server is down.
      this.settings.logger.warn({ err: error }, 'comfyui websocket unavailable; polling history');
      this.socket = undefined;
    }
  }

  private socketLost(): void {
    this.socket = undefined;
    if (this.outcome) return;
    // Messages sent while we were away are gone; only /history can tell us how the prompt ended.
    if (this.promptId !== undefined) this.startPolling();
    this.reconnecting = setTimeout(() => void this.reconnect(), this.reconnectDelayMs);
  }

  private async reconnect(): Promise<void> {
    this.reconnecting = undefined;
    if (this.outcome) return;
    await this.openSocket();
    if (this.outcome) this.dispose();
    else if (!this.socket) {
      this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 5_000);
      this.reconnecting = setTimeout(() => void this.reconnect(), this.reconnectDelayMs);
    }
  }

  private async submit(): Promise<void> {
    const body = { prompt: this.workflow, client_id: this.clientId, prompt_id: this.requestedId, extra_data: { job_id: this.input.jobId } };
    let result;
    try {
      result = await this.settings.http.submit(body);
    } catch (error) {
      // The request may have arrived before the connection broke; resending the same prompt_id is
      // safe because the server answers 409 for an id it already has.
      if (!(error instanceof GenerationError) || error.code !== 'backend_unreachable' || neverReachedServer(error.cause)) throw error;
      this.settings.logger.warn({ err: error.cause }, 'comfyui submit lost its answer; resending the same prompt_id');
      result = await this.settings.http.submit(body);
    }
    // 2024 builds ignore our prompt_id and mint their own: correlate by the id they return.
    this.promptId = result.kind === 'accepted' ? result.promptId : this.requestedId;
    this.report('queued');
  }

  private report(stage: string, step?: number): void {
    if (step !== undefined) this.step = Math.max(this.step, Math.min(step, this.totalSteps));
    try {
      this.onProgress({ step: this.step, totalSteps: this.totalSteps, stage });
    } catch (error) {
      this.settle({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  private handle(message: ComfyMessage): void {
    if (this.outcome) return;
    const { data } = message;
    const promptId = typeof data.prompt_id === 'string' ? data.prompt_id : undefined;
    if (promptId !== undefined && promptId !== this.promptId) return;
    const node = typeof data.node === 'string' ? data.node : data.node === null ? null : undefined;
    switch (message.type) {
      case 'execution_start':
        this.markStarted();
        this.report('starting', 0);
        break;
      case 'execution_cached':
        this.markStarted();
        if (Array.isArray(data.nodes) && data.nodes.includes(this.roles.samplerId)) this.samplerDone = true;
        break;
      case 'executing':
        if (node === null) {
          // Sent after the history is written, so /history now has the outputs.
          if (promptId !== undefined) this.settle({ kind: 'finished' });
          break;
        }
        if (node === undefined) break;
        this.markStarted();
        if (node === this.roles.samplerId) this.samplerStarted = true;
        else if (this.samplerStarted) this.samplerDone = true;
        this.report(stageOf(this.workflow[node]?.class_type), this.samplerDone ? this.totalSteps : undefined);
        break;
      case 'progress': {
        const target = node ?? undefined;
        if (target !== undefined && target !== this.roles.samplerId) break;
        const value = Number(data.value);
        const max = Number(data.max);
        if (!Number.isFinite(value) || !Number.isFinite(max) || max <= 0) break;
        this.samplerStarted = true;
        this.totalSteps = max;
        this.report('sampling', value);
        break;
      }
      case 'execution_error':
        this.settle({ kind: 'failed', error: executionError(data) });
        break;
      case 'execution_interrupted':
        this.settle({ kind: 'failed', error: interruptedError(data) });
        break;
      default:
        break;
    }
  }

  private startPolling(): void {
    if (this.polling || this.outcome) return;
    this.polling = setTimeout(() => void this.poll(), this.settings.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    const id = this.promptId;
    if (this.outcome || id === undefined) return;
    try {
      const entry = await this.settings.http.history(id);
      if (entry) return this.settle({ kind: 'finished', entry });
      const queue = await this.settings.http.queue();
      if (queue.running.includes(id)) this.markStarted();
      else if (!queue.pending.includes(id) && !(await this.settings.http.history(id))) {
        // Neither queued, running nor finished: the server restarted and forgot the prompt.
        return this.settle({ kind: 'failed', error: new GenerationError('backend_lost', 'The image server lost the job (it may have restarted); the job will be retried.', 'backoff') });
      }
      this.pollFailures = 0;
    } catch (error) {
      if (++this.pollFailures >= 5) return this.settle({ kind: 'failed', error: error as Error });
    }
    this.polling = undefined;
    this.startPolling();
  }

  private outcomeError(entry: HistoryEntry): GenerationError | undefined {
    const messages = statusMessages(entry);
    const failure = messages.find(([event]) => event === 'execution_error');
    if (failure) return executionError(failure[1]);
    const interrupted = messages.find(([event]) => event === 'execution_interrupted');
    if (interrupted) return interruptedError(interrupted[1]);
    if (entry.status?.status_str === 'error') return new GenerationError('execution_failed', 'The image server reported a failed run.', 'never');
    return undefined;
  }

  private async collect(known: HistoryEntry | undefined): Promise<GeneratedFile[]> {
    const { http } = this.settings;
    const entry = known ?? (await http.history(this.promptId!));
    if (!entry) throw new GenerationError('backend_error', 'The image server finished but kept no result; the job will be retried.', 'backoff');
    const failure = this.outcomeError(entry);
    if (failure) throw failure;
    const refs = collectOutputFiles(entry).filter((ref) => kindOf(ref) !== 'other');
    const wanted = refs.filter((ref) => kindOf(ref) === this.input.kind);
    const chosen = wanted.length > 0 ? wanted : refs;
    if (chosen.length === 0) throw new GenerationError('no_output', 'The image server finished without producing an image.', 'never');
    this.report('fetching results', this.totalSteps);
    const files: GeneratedFile[] = [];
    for (const ref of chosen) {
      const kind = kindOf(ref);
      files.push({ kind: kind === 'video' ? 'video' : 'image', mime: mimeOf(ref), data: await http.view(ref) });
    }
    return files;
  }

  private async bestEffort(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.settings.logger.warn({ err: error, promptId: this.promptId }, `comfyui ${what} failed`);
    }
  }

  private async cancelRemote(): Promise<void> {
    const id = this.promptId;
    if (id === undefined) return;
    const { http } = this.settings;
    // Not started yet: take it off the queue. Interrupt too, since it may have started meanwhile;
    // ComfyUI only interrupts when this prompt_id is the one running.
    if (!this.started) await this.bestEffort('queue delete', () => http.deleteQueued(id));
    await this.bestEffort('interrupt', () => http.interrupt(id));
  }

  private async timeoutRemote(): Promise<GenerationError> {
    const id = this.promptId;
    const { http } = this.settings;
    let running = this.started;
    if (!running && id !== undefined) {
      await this.bestEffort('queue check', async () => {
        running = (await http.queue()).running.includes(id);
      });
    }
    if (!running) {
      if (id !== undefined) await this.bestEffort('queue delete', () => http.deleteQueued(id));
      return new GenerationError('backend_busy', 'The image server is busy with other work; the job will wait and retry.', 'rate_limit');
    }
    await this.bestEffort('interrupt', () => http.interrupt(id!));
    return new GenerationError('backend_timeout', 'The image server took too long; the job will be retried.', 'backoff');
  }
}
