import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobEvent } from '../../src/core/events.js';
import type { ApiWorkflow } from '../../src/worker/backends/comfyui/workflow.js';
import { startTestStack, type StackOptions, type TestStack } from './stack.js';

/**
 * The conformance suite's side of a real ComfyUI: templates made from the built-in model-free
 * `workflows/conformance-still.json` (core nodes only, so any server runs them), plus, when the
 * server has ComfyUI's test pack (`TestSleep`, in tests/execution/testing_nodes), a slow variant
 * whose sleep is the job's `steps` in seconds: real float progress, and something to cancel.
 */
const BUILT_IN = fileURLToPath(new URL('../../workflows', import.meta.url));

export const SLEEP_NODE = 'TestSleep';

export async function serverHasNode(baseUrl: string, classType: string): Promise<boolean> {
  const response = await fetch(new URL(`object_info/${classType}`, withSlash(baseUrl)));
  if (!response.ok) throw new Error(`GET /object_info/${classType}: HTTP ${response.status}`);
  return classType in ((await response.json()) as Record<string, unknown>);
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** still: the built-in; sleepy: TestSleep($steps:seconds) before the save; runtime-error and invalid as in the kit. */
export async function writeConformanceTemplates(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const still = JSON.parse(await readFile(join(BUILT_IN, 'conformance-still.json'), 'utf8')) as ApiWorkflow;
  const sleepy = structuredClone(still);
  sleepy['3'] = { class_type: SLEEP_NODE, inputs: { value: ['2', 0], seconds: 1 }, _meta: { title: 'Sleep $steps:seconds' } };
  sleepy['4']!.inputs.images = ['3', 0];
  const runtimeError = structuredClone(still);
  runtimeError['9'] = { class_type: 'ImageScale', inputs: { image: ['8', 0], upscale_method: 'nearest-exact', width: 8, height: 8, crop: 'disabled' } };
  runtimeError['2']!.inputs = { image: ['9', 0], blur_radius: 31, sigma: 1.0 }; // raises: padding larger than 8x8
  const invalid = structuredClone(still);
  invalid['2']!.inputs.blur_radius = 99; // max is 31: a 400 with node_errors
  const dir = await mkdtemp(join(tmpdir(), 'ap-comfy-conformance-'));
  for (const [name, graph] of Object.entries({ still, sleepy, 'runtime-error': runtimeError, invalid })) {
    await writeFile(join(dir, `${name}.json`), JSON.stringify(graph, null, 2));
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every job event of the stack, with a wait for the next one that matches. */
export class EventLog {
  readonly seen: JobEvent[] = [];
  private waiters: Array<{ match: (e: JobEvent) => boolean; resolve: (e: JobEvent) => void }> = [];

  push(event: JobEvent): void {
    this.seen.push(event);
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.match(event)) waiter.resolve(event);
      else this.waiters.push(waiter);
    }
  }

  next(match: (e: JobEvent) => boolean): Promise<JobEvent> {
    const already = this.seen.find(match);
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The job's end: completed, failed for good, or cancelled. */
  end(jobId: string): Promise<JobEvent> {
    return this.next((e) => e.jobId === jobId && (e.type === 'completed' || e.type === 'cancelled' || (e.type === 'failed' && !e.willRetry)));
  }

  of(jobId: string): JobEvent[] {
    return this.seen.filter((e) => e.jobId === jobId);
  }
}

export interface ConformanceStack {
  stack: TestStack;
  events: EventLog;
  token: string;
  generate(body: Record<string, unknown>): Promise<string>;
  cancel(jobId: string): Promise<number>;
}

/** A whole service (web, worker, real Postgres and Redis) driving the real ComfyUI with one template. */
export async function startConformanceStack(comfyUrl: string, templatesDir: string, template: string, options: { env?: Record<string, string>; worker?: StackOptions['worker'] } = {}): Promise<ConformanceStack> {
  const stack = await startTestStack({
    worker: options.worker ?? true,
    env: {
      COMFYUI_URL: comfyUrl,
      COMFYUI_WORKFLOWS_DIR: templatesDir,
      COMFYUI_WORKFLOW: template,
      COMFYUI_TIMEOUT_MS: '90000',
      RATE_LIMIT_PER_MINUTE: '100',
      RATE_LIMIT_BURST: '20',
      // Every request reaches the server: an identical one would otherwise be answered from the
      // first one's files (reuse), and the suite is about what the server does.
      REUSE_WINDOW_HOURS: '0',
      ...options.env,
    },
  });
  const events = new EventLog();
  await stack.runtime.events.subscribe((event) => events.push(event));
  const token = await stack.token('conformance');
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    stack,
    events,
    token,
    async generate(body) {
      const response = await fetch(`${stack.baseUrl}/api/anime/generate`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (response.status !== 202) throw new Error(`generate: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { job_id: string }).job_id;
    },
    async cancel(jobId) {
      const response = await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/cancel`, { method: 'POST', headers: { authorization: headers.authorization } });
      await response.body?.cancel();
      return response.status;
    },
  };
}

/** What the server itself says about a prompt. */
export async function comfyGet<T>(comfyUrl: string, path: string): Promise<T> {
  const response = await fetch(new URL(path, withSlash(comfyUrl)));
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export interface ComfyHistoryEntry {
  outputs: Record<string, { images?: Array<{ filename: string }> }>;
  status: { status_str: string; completed: boolean; messages: Array<[string, Record<string, unknown>]> };
  prompt: [number, string, ApiWorkflow, Record<string, unknown>, string[]];
}

export async function historyOf(comfyUrl: string, promptId: string): Promise<ComfyHistoryEntry | undefined> {
  return (await comfyGet<Record<string, ComfyHistoryEntry>>(comfyUrl, `history/${promptId}`))[promptId];
}

/**
 * The history entry once the server has written it. ComfyUI sends execution_error and
 * execution_interrupted while the prompt still runs and stores the history right after, so a
 * job that failed or was stopped can be reported before its entry exists: read until it appears.
 */
export async function writtenHistoryOf(comfyUrl: string, promptId: string, withinMs = 10_000): Promise<ComfyHistoryEntry | undefined> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const entry = await historyOf(comfyUrl, promptId);
    if (entry || Date.now() > deadline) return entry;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The file names the prompt saved; SaveImage numbers per prefix, so a second run would show _00002_. */
export function savedNames(entry: ComfyHistoryEntry | undefined): string[] {
  return Object.values(entry?.outputs ?? {}).flatMap((o) => (o.images ?? []).map((i) => i.filename)).sort();
}
