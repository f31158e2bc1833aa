import { createHash } from 'node:crypto';
import type { GeneratedFile } from '../core/generator.js';
import { QUALITY_PROBLEMS, type QualityProblem } from '../core/quality.js';
import type { Logger } from '../shared/logger.js';
import type { QualityReport } from './media/quality.js';

/** Which render of the attempt: the job's own, or the one the quality check asked for. */
export type RenderPass = 1 | 2;

export interface CheckedRender {
  files: GeneratedFile[];
  /** One report per file, in order (stored with the original as its quality score). */
  reports: QualityReport[];
  /** The seed the kept files were rendered with. */
  seed: number;
  /** True when the first render failed the check and was replaced by a second one. */
  retried: boolean;
  /** What the kept files still fail, each once: a non-empty list is posted with a note. */
  problems: QualityProblem[];
}

/**
 * The seed of the quality re-render: a new one, derived from the job (not random), so a worker that
 * resumes the attempt asks the backend for the same second render and finds it (ComfyUI keeps it
 * under its own prompt id) instead of paying for a third.
 */
export function rerenderSeed(jobId: string, seed: number): number {
  const next = createHash('sha256').update(`anime-production:rerender:${jobId}:${seed}`).digest().readUInt32BE(0);
  return next === seed ? (next + 1) % 2 ** 32 : next;
}

/**
 * Renders, checks every output, and renders once more with a new seed when any output fails;
 * the second render is kept whatever its verdict (the first one's files were never stored, so
 * nothing is left behind). Both renders run inside the same attempt: no queue retry is spent.
 */
export async function renderWithQualityCheck(
  job: { id: string; seed: number },
  render: (seed: number, pass: RenderPass) => Promise<GeneratedFile[]>,
  check: (file: GeneratedFile) => Promise<QualityReport>,
  log: Logger,
): Promise<CheckedRender> {
  const first = await render(job.seed, 1);
  const firstReports = await Promise.all(first.map(check));
  const firstProblems = problemsOf(firstReports);
  if (firstProblems.length === 0) return { files: first, reports: firstReports, seed: job.seed, retried: false, problems: [] };
  const seed = rerenderSeed(job.id, job.seed);
  log.warn({ problems: firstProblems, seed: job.seed, newSeed: seed }, 'the output failed the quality check; rendering again with a new seed');
  const second = await render(seed, 2);
  const reports = await Promise.all(second.map(check));
  const problems = problemsOf(reports);
  if (problems.length > 0) log.warn({ problems, seed }, 'the re-rendered output failed the quality check too; posting it with a note');
  return { files: second, reports, seed, retried: true, problems };
}

function problemsOf(reports: readonly QualityReport[]): QualityProblem[] {
  const found = new Set(reports.flatMap((r) => r.problems));
  return QUALITY_PROBLEMS.filter((p) => found.has(p));
}
