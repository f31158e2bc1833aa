import type { BackendReport, TemplateCheck } from '../../../core/backend-report.js';
import { GenerationError } from '../../../core/errors.js';
import { routeKey } from '../../../core/routes.js';
import type { ModelOffer } from '../../../shared/model-offers.js';
import { parseEndpoint } from './client.js';
import { checkModel, checkTemplate, serverCheckpoints, type ObjectInfo } from './object-info-check.js';
import { loadWorkflowTemplate, type ApiWorkflow } from './workflow.js';

export interface ComfyUiProbeOptions {
  baseUrl: string;
  workflowsDir: string;
  /** The image template (COMFYUI_WORKFLOW). */
  workflow: string;
  videoWorkflow?: string;
  models: readonly ModelOffer[];
  worker: string;
  /** The operator's name for this server (the farm has several). */
  name?: string;
  /** How long the report may be trusted (the worker checks again well before). */
  freshForMs: number;
  fetchImpl?: typeof fetch;
  requestTimeoutMs?: number;
}

interface SystemStats {
  system?: { comfyui_version?: unknown };
  devices?: Array<{ name?: unknown; type?: unknown }>;
}

/** Why a template file could not be used, in words that name no path. */
function unreadable(name: string, error: unknown): string {
  const detail = error instanceof GenerationError && error.cause instanceof Error ? error.cause.message : '';
  if (detail.includes('is not JSON')) return `template ${name}: workflows/${name}.json is not JSON`;
  if (detail.includes('API-format')) return `template ${name}: workflows/${name}.json is not an API-format workflow (in ComfyUI: Workflow > Export (API))`;
  return `template ${name}: workflows/${name}.json is missing or unreadable`;
}

function reasonOf(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code === 'ECONNREFUSED' ? 'connection refused' : code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error && error.message.startsWith('HTTP ') ? error.message : 'the request failed';
}

/**
 * Reads /system_stats and /object_info once and checks every template and offered model against
 * them. Never throws: an unreachable server is a report that says so.
 */
export async function probeComfyUi(options: ComfyUiProbeOptions): Promise<BackendReport> {
  const endpoint = parseEndpoint(options.baseUrl);
  const fetchImpl = options.fetchImpl ?? fetch;
  const now = Date.now();
  const base = {
    backend: 'comfyui',
    worker: options.worker,
    ...(options.name ? { name: options.name } : {}),
    checkedAt: now,
    freshUntil: now + options.freshForMs,
    server: endpoint.base.host,
    checkpoints: [] as string[],
    templates: [] as TemplateCheck[],
  };
  const get = async (path: string): Promise<unknown> => {
    const response = await fetchImpl(new URL(path, endpoint.base), { headers: endpoint.headers, signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    return response.json() as Promise<unknown>;
  };
  let stats: SystemStats;
  let info: ObjectInfo;
  try {
    [stats, info] = (await Promise.all([get('system_stats'), get('object_info')])) as [SystemStats, ObjectInfo];
  } catch (error) {
    const problem = `image server ${endpoint.base.host} is not answering (${reasonOf(error)})`;
    return { ...base, reachable: false, routes: [], models: options.models.map((m) => ({ id: m.id, label: m.label, available: false, problem })), problems: [problem] };
  }

  const imageTemplates = [...new Set([options.workflow, ...options.models.flatMap((m) => (m.template ? [m.template] : []))])];
  const videoTemplate = options.videoWorkflow ?? 'video';
  const problems: string[] = [];
  const loaded = new Map<string, { workflow: ApiWorkflow | undefined; check: TemplateCheck | undefined }>();
  for (const [name, kind] of [...imageTemplates.map((n) => [n, 'image'] as const), [videoTemplate, 'video'] as const]) {
    if (loaded.has(name)) continue;
    try {
      const workflow = await loadWorkflowTemplate(options.workflowsDir, name);
      loaded.set(name, { workflow, check: checkTemplate(name, workflow, info, kind) });
    } catch (error) {
      loaded.set(name, { workflow: undefined, check: { name, runs: false, problems: [unreadable(name, error)] } });
    }
  }
  const templates = [...loaded.values()].map((t) => t.check!);
  for (const t of templates) problems.push(...t.problems);
  const models = options.models.map((offer) => {
    const name = offer.template ?? options.workflow;
    return checkModel(offer, { name, ...loaded.get(name)! }, info);
  });
  for (const m of models) if (m.problem) problems.push(m.problem);
  // A video template names its own video model (a Wan UNet is no image checkpoint, and the worker
  // sets an offer's checkpoint on image jobs only): a box whose video template runs with its own
  // model files makes videos whatever image model the request names.
  const video = loaded.get(videoTemplate)!;
  const routes = models.flatMap((m, i) => {
    const offer = options.models[i]!;
    const videoRuns = checkModel({ id: offer.id, label: offer.label }, { name: videoTemplate, ...video }, info).available;
    return [...(m.available ? [routeKey({ kind: 'image', model: m.id })] : []), ...(videoRuns ? [routeKey({ kind: 'video', model: m.id })] : [])];
  });
  const device = stats.devices?.[0];
  return {
    ...base,
    reachable: true,
    ...(typeof stats.system?.comfyui_version === 'string' ? { version: stats.system.comfyui_version } : {}),
    ...(device && typeof device.name === 'string' ? { device: device.name } : {}),
    checkpoints: serverCheckpoints(info),
    templates,
    models,
    routes,
    problems,
  };
}
