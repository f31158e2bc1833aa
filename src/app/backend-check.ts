import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { BackendReport } from '../core/backend-report.js';
import type { Generator } from '../core/generator.js';
import { probeComfyUi } from '../worker/backends/comfyui/backend-probe.js';

const WORKFLOWS_DIR = fileURLToPath(new URL('../../workflows', import.meta.url));

/** A report stays trustworthy for three checks: one slow or missed check is forgiven. */
const REPORT_FRESH_CHECKS = 3;

/** The backend check the worker runs at start and every BACKEND_CHECK_INTERVAL_MS (doctor runs it too). */
export function backendCheck(runtime: { config: Config }, worker: string, generator?: Generator): () => Promise<BackendReport> {
  const { config } = runtime;
  const freshForMs = config.BACKEND_CHECK_INTERVAL_MS * REPORT_FRESH_CHECKS;
  if (config.COMFYUI_URL && (!generator || generator.name === 'comfyui')) {
    const baseUrl = config.COMFYUI_URL;
    return () => probeComfyUi({ baseUrl, workflowsDir: WORKFLOWS_DIR, workflow: config.COMFYUI_WORKFLOW, models: config.models, worker, freshForMs });
  }
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
      problems: [],
    };
  };
}

