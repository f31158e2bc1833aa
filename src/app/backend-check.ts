import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { BackendDecl } from '../shared/backend-decls.js';
import type { BackendReport } from '../core/backend-report.js';
import type { Generator } from '../core/generator.js';
import { allRoutes, routeKey } from '../core/routes.js';
import { probeComfyUi } from '../worker/backends/comfyui/backend-probe.js';

const BUILT_IN_WORKFLOWS = fileURLToPath(new URL('../../workflows', import.meta.url));

/** The templates folder the worker loads from (COMFYUI_WORKFLOWS_DIR, else the built-in one); the check reads the same. */
export function workflowsDirOf(config: Pick<Config, 'COMFYUI_WORKFLOWS_DIR'>): string {
  return config.COMFYUI_WORKFLOWS_DIR ? resolve(config.COMFYUI_WORKFLOWS_DIR) : BUILT_IN_WORKFLOWS;
}

/** A report stays trustworthy for three checks: one slow or missed check is forgiven. */
const REPORT_FRESH_CHECKS = 3;

/** The check of one named ComfyUI server of the farm. */
export function comfyUiCheck(config: Config, worker: string, decl: BackendDecl): () => Promise<BackendReport> {
  const freshForMs = config.BACKEND_CHECK_INTERVAL_MS * REPORT_FRESH_CHECKS;
  return () =>
    probeComfyUi({ baseUrl: decl.url, workflowsDir: workflowsDirOf(config), workflow: config.COMFYUI_WORKFLOW, models: config.models, worker, name: decl.name, freshForMs });
}

/** The backend check the worker runs at start and every BACKEND_CHECK_INTERVAL_MS (doctor runs it too). */
export function backendCheck(runtime: { config: Config }, worker: string, generator?: Generator): () => Promise<BackendReport> {
  const { config } = runtime;
  const freshForMs = config.BACKEND_CHECK_INTERVAL_MS * REPORT_FRESH_CHECKS;
  const single = config.backends[0];
  if (single && (!generator || generator.name === single.name)) return comfyUiCheck(config, worker, single);
  const name = generator?.name ?? 'builtin';
  // The built-in renderer (or a test's stand-in) has no server to ask: its one model is always there.
  return async () => {
    const now = Date.now();
    return {
      backend: name,
      worker,
      checkedAt: now,
      freshUntil: now + freshForMs,
      reachable: true,
      device: 'cpu',
      checkpoints: [],
      templates: [],
      models: config.models.map((m) => ({ id: m.id, label: m.label, available: true })),
      routes: allRoutes(config.models.map((m) => m.id)).map(routeKey),
      problems: [],
    };
  };
}

