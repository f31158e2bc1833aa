import type { Viewer } from '../generate-service.js';
import { fail, ok, type Outcome } from '../outcome.js';
import { can } from '../policy/permissions.js';
import { quotaStatus, utcDayStart, type GpuUsageReader, type QuotaStatus } from './gpu-quota.js';

/** The longest range one report covers: about a quarter. */
export const MAX_USAGE_DAYS = 92;
const DEFAULT_DAYS = 7;
const DAY_MS = 86_400_000;

export type UsageScopeIds = { kind: 'user'; userId: string } | { kind: 'project'; projectId: string } | { kind: 'space'; spaceId: string };

/** One backend's use on one UTC day ('YYYY-MM-DD'). */
export interface UsageDayRow {
  day: string;
  backend: string;
  gpuMs: number;
  attempts: number;
}

/** What reports read from the system of record (implemented over job_attempts in src/db). */
export interface UsageRecords extends GpuUsageReader {
  /** Finished attempts with from <= ended_at < until, summed per UTC day and backend. */
  dailyUsage(scope: UsageScopeIds, from: Date, until: Date): Promise<UsageDayRow[]>;
  findUserId(spaceId: string, externalId: string): Promise<string | null>;
  findProjectId(spaceId: string, slug: string): Promise<string | null>;
}

/** What was asked: nothing (your own), or (admins) one user, one project or the whole space; days inclusive. */
export interface UsageQuery {
  user?: string;
  project?: string;
  space?: boolean;
  from?: string;
  to?: string;
}

export interface UsageDay {
  day: string;
  gpuSeconds: number;
  attempts: number;
  /** GPU seconds per backend name. */
  backends: Record<string, number>;
}

export interface UsageReport {
  scope: { kind: 'user'; user: string | null; self: boolean } | { kind: 'project'; project: string } | { kind: 'space' };
  from: string;
  to: string;
  /** Every day of the range, oldest first, zeros included. */
  days: UsageDay[];
  totalGpuSeconds: number;
  /** Today's quota, for your own usage only (another member's quota depends on roles only their platform knows). */
  quota?: QuotaStatus;
}

export interface UsageServiceDeps {
  records: UsageRecords;
  /** The viewer's GPU minutes per day from the space settings and their role; null: no quota. */
  quotaMinutes(viewer: Viewer): number | null;
  now?: () => Date;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(text: string, field: 'from' | 'to'): Outcome<Date> {
  const match = DAY.exec(text);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  // Date.UTC rolls 2026-02-30 over to March: a day that does not round-trip does not exist.
  if (!date || date.toISOString().slice(0, 10) !== text) return fail({ reason: 'field_invalid', field, rule: 'utc_day' });
  return ok(date);
}

const dayText = (date: Date) => date.toISOString().slice(0, 10);

/** GPU usage reports: your own for everyone; a member's, a project's or the space's for admins. */
export class UsageService {
  constructor(private readonly deps: UsageServiceDeps) {}

  async report(viewer: Viewer, query: UsageQuery): Promise<Outcome<UsageReport>> {
    const now = this.deps.now?.() ?? new Date();
    const named = [query.user !== undefined, query.project !== undefined, query.space === true].filter(Boolean).length;
    if (named > 1) return fail({ reason: 'usage_scope_ambiguous' }, { field: 'scope' });
    const range = this.range(query, now);
    if (!range.ok) return range;
    const scope = await this.scope(viewer, query);
    if (!scope.ok) return scope;
    const { from, to } = range.value;
    const rows = await this.deps.records.dailyUsage(scope.value.ids, from, new Date(to.getTime() + DAY_MS));
    const days = fillDays(from, to, rows);
    const report: UsageReport = {
      scope: scope.value.label,
      from: dayText(from),
      to: dayText(to),
      days,
      totalGpuSeconds: days.reduce((sum, d) => sum + d.gpuSeconds, 0),
    };
    if (scope.value.label.kind === 'user' && scope.value.label.self) {
      report.quota = await quotaStatus(this.deps.records, viewer.identity.userId, this.deps.quotaMinutes(viewer), now);
    }
    return ok(report);
  }

  private range(query: UsageQuery, now: Date): Outcome<{ from: Date; to: Date }> {
    const to = query.to !== undefined ? parseDay(query.to, 'to') : ok(utcDayStart(now));
    if (!to.ok) return to;
    const from = query.from !== undefined ? parseDay(query.from, 'from') : ok(new Date(to.value.getTime() - (DEFAULT_DAYS - 1) * DAY_MS));
    if (!from.ok) return from;
    if (from.value > to.value) return fail({ reason: 'range_reversed', from: 'from', to: 'to', inclusive: true }, { field: 'from' });
    const days = Math.round((to.value.getTime() - from.value.getTime()) / DAY_MS) + 1;
    if (days > MAX_USAGE_DAYS) return fail({ reason: 'range_too_long', maxDays: MAX_USAGE_DAYS, days }, { field: 'from' });
    return ok({ from: from.value, to: to.value });
  }

  private async scope(viewer: Viewer, query: UsageQuery): Promise<Outcome<{ ids: UsageScopeIds; label: UsageReport['scope'] }>> {
    const { spaceId, userId } = viewer.identity;
    const own = { ids: { kind: 'user' as const, userId }, label: { kind: 'user' as const, user: query.user ?? null, self: true } };
    if (query.user === undefined && query.project === undefined && query.space !== true) return ok(own);
    const admin = can({ role: viewer.role, userId }, 'read_space_usage');
    if (query.user !== undefined) {
      const found = await this.deps.records.findUserId(spaceId, query.user);
      if (found === userId) return ok(own);
      // Whether a name exists is itself only for admins to learn.
      if (!admin) return fail({ reason: 'not_permitted', action: 'read_member_usage' }, { reason: 'usage' });
      if (!found) return fail({ reason: 'member_unknown', user: query.user.slice(0, 64) }, { field: 'user' });
      return ok({ ids: { kind: 'user', userId: found }, label: { kind: 'user', user: query.user, self: false } });
    }
    if (!admin) return fail({ reason: 'not_permitted', action: 'read_space_usage' }, { reason: 'usage' });
    if (query.project !== undefined) {
      const found = await this.deps.records.findProjectId(spaceId, query.project);
      if (!found) return fail({ reason: 'project_unknown', slug: query.project.slice(0, 64) }, { field: 'project' });
      return ok({ ids: { kind: 'project', projectId: found }, label: { kind: 'project', project: query.project } });
    }
    return ok({ ids: { kind: 'space', spaceId }, label: { kind: 'space' } });
  }
}

function fillDays(from: Date, to: Date, rows: UsageDayRow[]): UsageDay[] {
  const byDay = new Map<string, UsageDay>();
  for (let t = from.getTime(); t <= to.getTime(); t += DAY_MS) {
    const day = dayText(new Date(t));
    byDay.set(day, { day, gpuSeconds: 0, attempts: 0, backends: {} });
  }
  for (const row of rows) {
    const day = byDay.get(row.day);
    if (!day) continue;
    const seconds = row.gpuMs / 1000;
    day.gpuSeconds += seconds;
    day.attempts += row.attempts;
    day.backends[row.backend] = (day.backends[row.backend] ?? 0) + seconds;
  }
  return [...byDay.values()];
}
