/**
 * What each generation backend of the farm is doing now, as the worker serving it last said. The
 * worker writes it on every change and every few seconds; the dashboard, the API's farm view and
 * the metrics read it. Plain data, so it crosses processes as JSON.
 */
export const BACKEND_ACTIVITIES = ['idle', 'busy', 'cooling', 'draining', 'drained', 'down'] as const;

/**
 * - idle: answers and waits for work;
 * - busy: runs `jobId`;
 * - cooling: answered "busy, try later" (HTTP 429/503): takes no new job until its Retry-After passes;
 * - draining: an admin drained it while it ran `jobId`: it finishes that one and takes no more;
 * - drained: takes no work until an admin resumes it;
 * - down: stopped answering; out of rotation until it answers again.
 */
export type BackendActivity = (typeof BACKEND_ACTIVITIES)[number];

export interface BackendStatus {
  /** The operator's name for it (COMFYUI_URLS name=url, the backends table, or 'builtin'). */
  name: string;
  /** 'comfyui' or 'builtin'. */
  kind: string;
  state: BackendActivity;
  /** The job it runs (busy, draining). */
  jobId?: string;
  /** ms since 1970: when it entered this state. */
  since: number;
  /** The worker process serving it (host:pid:...). */
  worker: string;
  /** host:port, never with credentials (absent for the built-in renderer). */
  server?: string;
  /** Templates and model ids it can run, from its last check. */
  templates: string[];
  models: string[];
  /** ms since 1970: written at. */
  updatedAt: number;
  /** Until when readers may trust it: a status past it belongs to a worker that stopped writing. */
  freshUntil: number;
}

/** Whether a backend counts as capacity for the line in this state: it takes work now, or again within seconds (cooling). */
export function takesWork(state: BackendActivity): boolean {
  return state === 'idle' || state === 'busy' || state === 'cooling';
}
