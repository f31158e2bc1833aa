import type { Viewer } from '../generate-service.js';
import type { BackendActivity } from '../farm-state.js';
import { ok, refuse, type Outcome } from '../outcome.js';
import { can } from '../policy/permissions.js';
import type { FarmRecords, FinishedBucket, LiveBackendStates, UserGpu } from './farm-records.js';

const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
const TOP_USERS = 10;

/** 'gone': it ran attempts in the last hour but no worker reports it now (stopped, or renamed). */
export type FarmBackendState = BackendActivity | 'gone';

export interface FarmBackendView {
  name: string;
  kind?: string;
  state: FarmBackendState;
  jobId?: string;
  /** ms since 1970 when it entered its state (live backends only). */
  since?: number;
  server?: string;
  /** GPU time over the last hour, and that as a share of the hour (0..1). */
  gpuMsHour: number;
  busyShareHour: number;
}

export interface FarmSeries {
  bucketMs: number;
  /** Oldest first, every bucket present (empty ones hold zeros), the last one the current. */
  buckets: FinishedBucket[];
}

export interface FarmView {
  at: number;
  queue: { queued: number; running: number; oldestWaitMs: number | null };
  backends: FarmBackendView[];
  /** Jobs finished and their waits: per minute over the last hour, per hour over the last day. */
  hour: FarmSeries;
  day: FarmSeries;
  /** This space's members by GPU time over the last day. */
  topUsers: UserGpu[];
}

/**
 * The moderators' view of the farm: the queue, what each backend does and how busy it was, the
 * flow of finished work, and who used the GPUs. The backends and the queue are the whole farm's
 * (they serve every space and name no one); the users ranked are the viewer's space only.
 */
export class FarmDashboard {
  constructor(
    private readonly records: FarmRecords,
    private readonly states: LiveBackendStates,
    private readonly now: () => number = Date.now,
  ) {}

  async view(viewer: Viewer): Promise<Outcome<FarmView>> {
    if (!can({ role: viewer.role, userId: viewer.identity.userId }, 'view_farm')) return refuse('forbidden', { reason: 'farm_role' });
    const at = this.now();
    const [queue, live, busy, hour, day, topUsers] = await Promise.all([
      this.records.queueNow(),
      this.states.all(at),
      this.records.busyByBackend(new Date(at - HOUR_MS), new Date(at)),
      this.series(at, MINUTE_MS, 60),
      this.series(at, HOUR_MS, 24),
      this.records.topUsers(viewer.identity.spaceId, new Date(at - DAY_MS), TOP_USERS),
    ]);
    const busyMs = new Map(busy.map((b) => [b.backend, Math.min(HOUR_MS, b.busyMs)]));
    const backends: FarmBackendView[] = live.map((s) => ({
      name: s.name,
      kind: s.kind,
      state: s.state,
      ...(s.jobId ? { jobId: s.jobId } : {}),
      since: s.since,
      ...(s.server ? { server: s.server } : {}),
      ...usage(busyMs.get(s.name) ?? 0),
    }));
    const listed = new Set(backends.map((b) => b.name));
    for (const [name, ms] of busyMs) if (!listed.has(name)) backends.push({ name, state: 'gone', ...usage(ms) });
    return ok({
      at,
      queue: { queued: queue.queued, running: queue.running, oldestWaitMs: queue.oldestQueuedAt ? Math.max(0, at - queue.oldestQueuedAt.getTime()) : null },
      backends,
      hour,
      day,
      topUsers,
    });
  }

  /** `count` buckets of bucketMs aligned to the clock, ending with the one holding `at`. */
  private async series(at: number, bucketMs: number, count: number): Promise<FarmSeries> {
    const end = Math.floor(at / bucketMs) * bucketMs + bucketMs;
    const from = end - count * bucketMs;
    const rows = await this.records.finishedByBucket(new Date(from), new Date(end), bucketMs);
    return { bucketMs, buckets: fillBuckets(rows, from, count, bucketMs) };
  }
}

function usage(gpuMsHour: number): { gpuMsHour: number; busyShareHour: number } {
  return { gpuMsHour, busyShareHour: Math.round((gpuMsHour / HOUR_MS) * 10_000) / 10_000 };
}

/** Every bucket from `from`, in order: the records' where they have one, zeros elsewhere. */
export function fillBuckets(rows: FinishedBucket[], from: number, count: number, bucketMs: number): FinishedBucket[] {
  const byStart = new Map(rows.map((r) => [r.start, r]));
  return Array.from({ length: count }, (_, i) => {
    const start = from + i * bucketMs;
    return byStart.get(start) ?? { start, finished: 0, failed: 0, waitAvgMs: null, waitMaxMs: null, qualityRetried: 0, qualityFailed: 0 };
  });
}
