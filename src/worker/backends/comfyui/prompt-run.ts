import { setTimeout as sleep } from 'node:timers/promises';
import { GenerationError, JobCancelledError } from '../../../core/errors.js';
import { leavesRemoteWork, type GeneratedFile, type GenerationInput, type PreviewImage, type ProgressReport } from '../../../core/generator.js';
import { neverReachedServer, type ComfyUiHttp, type QueueEntry } from './client.js';
import { collectOutputFiles, kindOf, mimeOf, type HistoryEntry } from './outputs.js';
import { executionError, interruptedError } from './failures.js';
import { clientIdFor, isRenderOf } from './prompt-ids.js';
import { findJobPrompt, historyFailure } from './prompt-lookup.js';
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
  /** The job's own preview frames (see preview()). */
  onPreview?: (image: PreviewImage) => void;
}

type Outcome =
  | { kind: 'finished'; entry?: HistoryEntry }
  | { kind: 'failed'; error: Error }
  | { kind: 'cancel'; handBack: boolean }
  | { kind: 'timeout' };

export interface RunHooks {
  /** GPU time accounting: the prompt left the server's queue ('started') and the run ended ('stopped'). */
  onBackendWork?: (phase: 'started' | 'stopped') => void;
  /** The server finished our prompt well and is free; the outputs are fetched after. */
  onBackendFree?: () => void;
  /** Awaited just before the prompt is sent (the workflow's record, the farm's box); a rejection sends nothing. */
  beforeSubmit?: () => Promise<void>;
}

/** After an interrupt, how long we wait to hear the prompt stop, so the attempt ends with the server free. */
const INTERRUPT_SETTLE_MS = 5_000;

/** After a lost reply to POST /prompt, how often the queue is looked at before sending again. */
const LOST_REPLY_LOOKUPS = 3;

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
 * One job's prompt on one ComfyUI server, run exactly once: its client_id and prompt_id derive from
 * the job id, so before sending anything we look in /queue and /history for the prompt an earlier
 * attempt (a restarted worker, a lost reply) sent, and follow it or collect its outputs instead.
 * Progress comes from `progress` frames on our socket, completion from `executing {node: null}`,
 * outputs from /history and /view. A lost socket falls back to polling.
 */
export class PromptRun {
  private readonly clientId: string;
  private promptId: string | undefined;
  private socket: ComfyUiSocket | undefined;
  private buffered: ComfyMessage[] = [];
  private outcome: Outcome | undefined;
  private resolveOutcome!: (outcome: Outcome) => void;
  private readonly outcomePromise = new Promise<Outcome>((resolve) => (this.resolveOutcome = resolve));
  /** Resolves when the server says our prompt ended (heard even after our outcome is settled). */
  private remoteEnded!: () => void;
  private readonly remoteEndedPromise = new Promise<void>((resolve) => (this.remoteEnded = resolve));
  private started = false;
  private samplerStarted = false;
  private samplerDone = false;
  private step = 0;
  private totalSteps: number;
  /** Share of the run done, never stepping back (a second progress node starts again at 0). */
  private fraction = 0;
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
    private readonly hooks: RunHooks = {},
  ) {
    this.totalSteps = Math.max(1, input.steps);
    this.clientId = clientIdFor(input.jobId);
  }

  async execute(signal: AbortSignal): Promise<GeneratedFile[]> {
    if (signal.aborted) throw new JobCancelledError();
    const timer = setTimeout(() => this.settle({ kind: 'timeout' }), this.settings.timeoutMs);
    const onAbort = () => this.settle({ kind: 'cancel', handBack: leavesRemoteWork(signal.reason) });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // Side by side: until we send, no prompt of ours runs unless an earlier attempt's was found,
      // and a found one is also polled for, so nothing its socket missed meanwhile is lost.
      const socketOpen = this.openSocket();
      let found: Awaited<ReturnType<typeof findJobPrompt>>;
      try {
        found = await findJobPrompt(this.settings.http, this.input);
      } finally {
        // Never rejects; awaited so a failed lookup does not leave a socket opening after dispose().
        await socketOpen;
      }
      this.stopIfEnded();
      if (found.kind === 'finished') {
        this.promptId = found.promptId;
        this.hooks.onBackendFree?.();
        return await this.collect(found.entry);
      }
      // Nothing sent yet: a cancel or timeout now has nothing to undo (a queued one is handled below).
      if (found.kind === 'none') this.stopIfEnded();
      if (found.kind === 'queued') this.follow(found.entry);
      else await this.submit(found.promptId);
      for (const message of this.buffered.splice(0)) this.handle(message);
      if (!this.socket || found.kind === 'queued') this.startPolling();
      const outcome = await this.outcomePromise;
      switch (outcome.kind) {
        case 'finished':
          this.hooks.onBackendFree?.();
          return await this.collect(outcome.entry);
        case 'failed':
          throw outcome.error;
        case 'cancel':
          // A hand-back leaves the prompt running: the next attempt finds it and follows it.
          if (!outcome.handBack) await this.cancelRemote();
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

  /** Cancelled or out of time before anything was queued: stop here. */
  private stopIfEnded(): void {
    if (this.outcome?.kind === 'cancel') throw new JobCancelledError();
    if (this.outcome?.kind === 'timeout') throw new GenerationError('backend_timeout', {}, 'backoff');
  }

  /** A prompt an earlier attempt sent is on the queue: take it as ours. */
  private follow(entry: QueueEntry): void {
    this.promptId = entry.promptId;
    if (entry.state === 'running') this.markStarted();
    this.settings.logger.warn({ promptId: entry.promptId, state: entry.state }, 'comfyui prompt of an earlier attempt found; following it instead of sending it again');
    this.report(this.started ? 'processing' : 'queued');
  }

  /** Ends the run from outside (generator closing); the job will be retried elsewhere. */
  abandon(): void {
    this.settle({ kind: 'failed', error: new GenerationError('backend_closed', {}, 'backoff') });
  }

  private settle(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    // The server's work on our prompt is over (fetching the files is not GPU time).
    if (this.started) this.hooks.onBackendWork?.('stopped');
    this.resolveOutcome(outcome);
  }

  private markStarted(): void {
    if (this.started) return;
    this.started = true;
    this.hooks.onBackendWork?.('started');
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
          onPreview: (frame) => this.preview(frame),
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

  /**
   * Frames of our prompt only: the socket is our job's client id, which an earlier attempt's or the
   * other render's prompt shares, so a type-4 frame naming another prompt is not this run's picture.
   * A type-1 frame names none; it came while our prompt is the one we follow. Nothing once ended.
   */
  private preview(frame: PreviewFrame): void {
    if (this.outcome || this.promptId === undefined || !this.settings.onPreview) return;
    if (frame.promptId !== undefined && frame.promptId !== this.promptId) return;
    if (frame.mime !== 'image/jpeg' && frame.mime !== 'image/png') return;
    try {
      this.settings.onPreview({ kind: 'encoded', mime: frame.mime, data: frame.data });
    } catch (error) {
      this.settings.logger.warn({ err: error, promptId: this.promptId }, 'a preview frame could not be passed on');
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

  private async submit(promptId: string): Promise<void> {
    const { http, logger } = this.settings;
    const body = {
      prompt: this.workflow,
      client_id: this.clientId,
      prompt_id: promptId,
      extra_data: {
        job_id: this.input.jobId,
        ...(this.input.attempt === undefined ? {} : { attempt: this.input.attempt }),
        ...(this.input.render === undefined || this.input.render === 1 ? {} : { render: this.input.render }),
      },
    };
    let result;
    await this.hooks.beforeSubmit?.();
    try {
      result = await http.submit(body);
    } catch (error) {
      // The request may have arrived before the connection broke. The server would run the same
      // prompt_id again, so look for it first and send again only if it is nowhere.
      if (!(error instanceof GenerationError) || error.code !== 'backend_unreachable' || neverReachedServer(error.cause)) throw error;
      logger.warn({ err: error.cause, promptId }, 'comfyui submit lost its answer; looking the prompt up before sending it again');
      const entry = await this.findSent(promptId);
      if (entry) return this.follow(entry);
      if (await http.history(promptId)) {
        this.promptId = promptId;
        return this.startPolling();
      }
      result = await http.submit(body);
    }
    // 2024 builds ignore our prompt_id and mint their own: correlate by the id they return.
    this.promptId = result.kind === 'accepted' ? result.promptId : promptId;
    this.report('queued');
  }

  private async findSent(promptId: string): Promise<QueueEntry | undefined> {
    for (let look = 0; look < LOST_REPLY_LOOKUPS; look++) {
      const queue = await this.settings.http.queue();
      const entry = queue.entries.find((e) => e.promptId === promptId || isRenderOf(e.extra, this.input.jobId, this.input.render));
      if (entry) return entry;
      if (look < LOST_REPLY_LOOKUPS - 1) await sleep(this.settings.pollIntervalMs);
    }
    return undefined;
  }

  /** `done` of `total` (any unit; floats too): reported as steps of the job, never stepping back. */
  private report(stage: string, done?: number, total = this.totalSteps): void {
    if (done !== undefined && total > 0) {
      const fraction = Math.min(1, Math.max(0, done / total));
      if (fraction >= this.fraction) {
        this.fraction = fraction;
        // Whole steps show as such ("sampling 7/20"); fractional progress (TestSleep: 0.02 of 0.3) as a percentage.
        if (Number.isInteger(done) && Number.isInteger(total)) {
          this.totalSteps = total;
          this.step = done;
        } else {
          this.totalSteps = 100;
          this.step = Math.floor(fraction * 100);
        }
      }
    }
    try {
      this.onProgress({ step: this.step, totalSteps: this.totalSteps, stage });
    } catch (error) {
      this.settle({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  private handle(message: ComfyMessage): void {
    const { data } = message;
    const promptId = typeof data.prompt_id === 'string' ? data.prompt_id : undefined;
    if (promptId !== undefined && promptId !== this.promptId) return;
    const node = typeof data.node === 'string' ? data.node : data.node === null ? null : undefined;
    if (promptId !== undefined && (message.type === 'execution_interrupted' || (message.type === 'executing' && node === null))) this.remoteEnded();
    if (this.outcome) return;
    switch (message.type) {
      case 'execution_start':
        this.markStarted();
        this.report('starting');
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
        // With a known sampler its steps are the job's; a graph without one (tagged) reports any node's progress.
        const sampler = this.roles.samplerId;
        if (target !== undefined && sampler !== undefined && target !== sampler) break;
        const value = Number(data.value);
        const max = Number(data.max);
        if (!Number.isFinite(value) || !Number.isFinite(max) || max <= 0) break;
        if (sampler !== undefined) this.samplerStarted = true;
        this.report(sampler !== undefined ? 'sampling' : stageOf(target === undefined ? undefined : this.workflow[target]?.class_type), value, max);
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
        return this.settle({ kind: 'failed', error: new GenerationError('backend_lost', {}, 'backoff') });
      }
      this.pollFailures = 0;
    } catch (error) {
      if (++this.pollFailures >= 5) return this.settle({ kind: 'failed', error: error as Error });
    }
    this.polling = undefined;
    this.startPolling();
  }

  private async collect(known: HistoryEntry | undefined): Promise<GeneratedFile[]> {
    const { http } = this.settings;
    const entry = known ?? (await http.history(this.promptId!));
    if (!entry) throw new GenerationError('backend_error', {}, 'backoff', { adminText: 'the run finished but /history kept no entry' });
    const failure = historyFailure(entry);
    if (failure) throw failure;
    const all = collectOutputFiles(entry).filter((ref) => kindOf(ref) !== 'other');
    // The template's output nodes ($output, or its savers) hold the results; other outputs are extras.
    const fromOutputs = all.filter((ref) => this.roles.saveIds.includes(ref.nodeId));
    const refs = fromOutputs.length > 0 ? fromOutputs : all;
    const wanted = refs.filter((ref) => kindOf(ref) === this.input.kind);
    const matching = wanted.length > 0 ? wanted : refs;
    // A graph that saves a clip twice (an MP4 and a preview GIF/WEBP) is kept as its MP4.
    const mp4 = matching.filter((ref) => mimeOf(ref) === 'video/mp4');
    const chosen = this.input.kind === 'video' && mp4.length > 0 ? mp4 : matching;
    if (chosen.length === 0) throw new GenerationError('no_output', {}, 'never');
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

  /**
   * Stops our prompt and nobody else's, on every version: interrupt only when /queue says ours is
   * the one running (before 0.3.57 an interrupt stops whatever runs), otherwise delete it from the
   * queue. If it started between that look and the delete, the second look sees it running.
   */
  private async cancelRemote(): Promise<void> {
    const id = this.promptId;
    if (id === undefined) return;
    const { http } = this.settings;
    await this.bestEffort('cancel', async () => {
      const queue = await http.queue();
      if (queue.running.includes(id)) return this.interruptAndWait(id);
      if (!queue.pending.includes(id)) return;
      await http.deleteQueued(id);
      if ((await http.queue()).running.includes(id)) await this.interruptAndWait(id);
    });
  }

  /** The interrupt takes effect at the node's next progress check; waiting for it leaves the server free for the next job. */
  private async interruptAndWait(id: string): Promise<void> {
    await this.settings.http.interrupt(id);
    if (!this.socket) return;
    const timer = new AbortController();
    await Promise.race([this.remoteEndedPromise, sleep(INTERRUPT_SETTLE_MS, undefined, { signal: timer.signal }).catch(() => undefined)]);
    timer.abort();
  }

  private async timeoutRemote(): Promise<GenerationError> {
    const id = this.promptId;
    const { http } = this.settings;
    let running = this.started;
    await this.bestEffort('timeout clean-up', async () => {
      if (id === undefined) return;
      const queue = await http.queue();
      running = queue.running.includes(id);
      if (running) return this.interruptAndWait(id);
      // Still waiting behind other work: give the place up. Had it just started, it stays running
      // and the retry finds and follows it.
      if (queue.pending.includes(id)) await http.deleteQueued(id);
    });
    if (!running) return new GenerationError('backend_busy', {}, 'rate_limit');
    return new GenerationError('backend_timeout', {}, 'backoff');
  }
}
