import { canSeeProject, readerOf } from '../projects/visibility.js';
import type { AssetRecord, JobRecord, NewJob, ProjectForJob } from '../records.js';
import type { Role } from '../roles.js';

/** A job with the same recipe key, and its project as the requester sees it (membership). */
export interface Twin {
  job: JobRecord;
  project: ProjectForJob;
}

/** What reuse needs from the system of record (src/db/reuse-records.ts). */
export interface ReuseRecords {
  /** Completed jobs of the space with this key, finished at or after `since`, with files still kept; newest first, a few. */
  finishedTwins(spaceId: string, recipeKey: string, since: Date, viewerUserId: string): Promise<Twin[]>;
  /** Jobs of the space with this key that render themselves and have not ended; oldest first. */
  renderingTwins(spaceId: string, recipeKey: string, viewerUserId: string): Promise<Twin[]>;
  /**
   * Records `job` as completed at once with new rows naming the twin's files (no copies), and its
   * audit row, in one transaction. Null when the twin's files were deleted meanwhile.
   */
  recordReused(job: NewJob, twinId: string, context: { projectSlug: string; userExternalId: string }): Promise<{ job: JobRecord; assets: AssetRecord[] } | null>;
  /**
   * Records `job` as waiting on a twin still rendering (it completes with the twin). Null when the
   * twin ended meanwhile: then it is looked for among the finished ones.
   */
  recordWaiting(job: NewJob, twinId: string, context: { projectSlug: string; userExternalId: string }): Promise<JobRecord | null>;
  /**
   * The jobs waiting on a twin that ended without files (failed, cancelled): the oldest renders
   * itself from now on and the others wait on it. Returns it, to be queued; null when none waited.
   */
  promoteWaiting(twinId: string): Promise<{ id: string; priority: number } | null>;
}

export interface ReuseSettings {
  records: ReuseRecords;
  /** How far back a finished twin may answer; 0 turns reuse and waiting on twins off. */
  windowHours: number;
}

interface Requester {
  identity: { spaceId: string; userId: string };
  role: Role;
}

/**
 * Finds the twin that may answer a request: same space (the key already says same recipe), and
 * only in a project the requester may see, so reuse never shows anyone files they could not open.
 */
export class TwinFinder {
  constructor(
    private readonly settings: ReuseSettings,
    private readonly now: () => Date,
  ) {}

  get enabled(): boolean {
    return this.settings.windowHours > 0;
  }

  async finished(requester: Requester, recipeKey: string): Promise<Twin | undefined> {
    if (!this.enabled) return undefined;
    const since = new Date(this.now().getTime() - this.settings.windowHours * 3_600_000);
    const twins = await this.settings.records.finishedTwins(requester.identity.spaceId, recipeKey, since, requester.identity.userId);
    return twins.find((twin) => canSeeProject(readerOf(requester), twin.project));
  }

  async rendering(requester: Requester, recipeKey: string): Promise<Twin | undefined> {
    if (!this.enabled) return undefined;
    const twins = await this.settings.records.renderingTwins(requester.identity.spaceId, recipeKey, requester.identity.userId);
    return twins.find((twin) => canSeeProject(readerOf(requester), twin.project));
  }
}
