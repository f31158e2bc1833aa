import { backendState, type BackendReport } from '../core/backend-report.js';

/** The backend check as an operator reads it: what answered, what it has, what will run and why not. */
export function doctorText(report: BackendReport): string {
  const lines: string[] = [];
  const where = report.server ? ` at ${report.server}` : '';
  lines.push(`backend: ${report.backend}${where} — ${backendState(report)}`);
  if (!report.reachable) {
    for (const problem of report.problems) lines.push(`  ${problem}`);
    lines.push('nothing can run until the image server answers (is COMFYUI_URL right, and is ComfyUI started?)');
    return `${lines.join('\n')}\n`;
  }
  if (report.version) lines.push(`version: ComfyUI ${report.version}`);
  if (report.device) lines.push(`device: ${report.device}`);
  if (report.backend === 'comfyui') {
    lines.push(`checkpoints found (${report.checkpoints.length}): ${report.checkpoints.join(', ') || 'none (put .safetensors files in ComfyUI/models/checkpoints/)'}`);
  }
  if (report.templates.length > 0) {
    lines.push('templates:');
    for (const t of report.templates) {
      lines.push(`  ${t.name}: ${t.runs ? 'will run' : 'will not run'}`);
      for (const problem of t.problems) lines.push(`    - ${problem}`);
    }
  }
  lines.push('models:');
  for (const m of report.models) {
    lines.push(`  ${m.id} (${m.label}): ${m.available ? 'available' : 'not available'}`);
    if (m.problem) lines.push(`    - ${m.problem}`);
  }
  const runnable = report.models.filter((m) => m.available).length;
  lines.push(runnable > 0 ? `${runnable} of ${report.models.length} models can run` : 'nothing can run: no offered model is available');
  return `${lines.join('\n')}\n`;
}
