import { fail, ok, type Outcome } from '../outcome.js';
import type { MediaStore } from '../ports.js';
import type { AuditNote } from '../records.js';
import type { MovableJob, Project, ProjectRecords } from './types.js';

export interface MoveResult {
  jobId: string;
  from: string;
  to: string;
  files: number;
}

/** Keys are `<project-slug>/<day>/<file>`: moving swaps the first segment and keeps the rest. */
export function keyInProject(key: string, projectSlug: string): string {
  const slash = key.indexOf('/');
  if (slash <= 0) throw new Error('storage key has no project folder');
  return `${projectSlug}${key.slice(slash)}`;
}

/**
 * Files, then records, or neither. Each file moved is remembered so a failure (disk or database,
 * or another move winning the race) puts them back. A crash between the two steps can still leave
 * files ahead of their rows; the old key then points at nothing and the move can be repeated.
 */
export async function moveJobFiles(
  deps: { records: ProjectRecords; media: MediaStore },
  job: MovableJob,
  target: Project,
  /** The audit row of the move, committed with the records. */
  audit: (result: MoveResult) => AuditNote,
): Promise<Outcome<MoveResult>> {
  const keys = new Map<string, string>();
  for (const asset of job.assets) keys.set(asset.id, keyInProject(asset.storageKey, target.slug));
  const live = job.assets.filter((a) => !a.deleted);
  const result: MoveResult = { jobId: job.id, from: job.projectSlug, to: target.slug, files: live.length };
  const moved: Array<{ from: string; to: string }> = [];
  const undo = async () => {
    for (const step of moved.reverse()) await deps.media.move(step.to, step.from);
  };
  try {
    for (const asset of live) {
      const to = keys.get(asset.id)!;
      await deps.media.move(asset.storageKey, to);
      moved.push({ from: asset.storageKey, to });
    }
    if (!(await deps.records.moveJobRecords(job.id, job.projectId, target.id, keys, audit(result)))) {
      await undo();
      return fail({ reason: 'image_moved_meanwhile' });
    }
  } catch (error) {
    await undo();
    throw error;
  }
  return ok(result);
}
