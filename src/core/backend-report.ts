/**
 * What a worker found when it last checked its generation backend: written by the worker (every
 * minute), read by the web (/readyz, the model list, the refusal of a model no backend has) and
 * printed by `npm run doctor`. Plain data, so it crosses processes as JSON.
 */
export interface TemplateCheck {
  name: string;
  runs: boolean;
  problems: string[];
}

export interface ModelCheck {
  id: string;
  label: string;
  available: boolean;
  /** Why not, when not available. */
  problem?: string;
}

export interface BackendReport {
  /** 'builtin' or 'comfyui'. */
  backend: string;
  /** The worker that checked (host:pid:...), so several workers can report side by side. */
  worker: string;
  /** The operator's name for the backend (COMFYUI_URLS, the backends table); absent on older reports. */
  name?: string;
  /** The routes (routeKey: "image.<model>", "video.<model>") it can run; absent on older reports. */
  routes?: string[];
  /** ms since 1970. */
  checkedAt: number;
  /** Until when readers may trust it (a few check intervals): a worker that stopped reporting is gone. */
  freshUntil: number;
  /** host:port of the server, never with credentials (absent for the built-in renderer). */
  server?: string;
  /** The server answered (always true for the built-in renderer). */
  reachable: boolean;
  version?: string;
  device?: string;
  /** Checkpoints the server has (CheckpointLoaderSimple's choices). */
  checkpoints: string[];
  templates: TemplateCheck[];
  models: ModelCheck[];
  /** Every problem, each one sentence for one log line. */
  problems: string[];
}

/** Where a report lives in the reports hash: one per worker and backend. */
export function reportKey(report: Pick<BackendReport, 'worker' | 'name'>): string {
  return report.name ? `${report.worker}/${report.name}` : report.worker;
}

/** Something can run: the backend answers and at least one offered model is there with a template that runs. */
export function isUsable(report: BackendReport): boolean {
  return report.reachable && report.models.some((m) => m.available);
}

/** 'ok', 'down' (unreachable) or 'misconfigured' (reachable, but nothing offered can run). */
export function backendState(report: BackendReport): 'ok' | 'down' | 'misconfigured' {
  if (!report.reachable) return 'down';
  return isUsable(report) ? 'ok' : 'misconfigured';
}
