import { refuse, type Failure } from '../outcome.js';

const DAY_MS = 86_400_000;

/**
 * Days are UTC days everywhere (sums, quotas, resets): one boundary for a space whose members live
 * in many time zones, and the chat adapters show the reset in each reader's own time.
 */
export function utcDayStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
}

export function nextUtcMidnight(now: Date): Date {
  return new Date(utcDayStart(now).getTime() + DAY_MS);
}

/** Today's GPU time of one user against their quota. limitSeconds null: no quota. */
export interface QuotaStatus {
  usedSeconds: number;
  limitSeconds: number | null;
  /** Never negative; null without a quota. */
  leftSeconds: number | null;
  resetsAt: Date;
}

/** What the quota rule reads: finished GPU time since a moment (the attempt's end decides its day). */
export interface GpuUsageReader {
  gpuMsSince(userId: string, since: Date): Promise<number>;
}

export async function quotaStatus(reader: GpuUsageReader, userId: string, limitMinutes: number | null, now: Date): Promise<QuotaStatus> {
  const usedSeconds = (await reader.gpuMsSince(userId, utcDayStart(now))) / 1000;
  const limitSeconds = limitMinutes === null ? null : limitMinutes * 60;
  return {
    usedSeconds,
    limitSeconds,
    leftSeconds: limitSeconds === null ? null : Math.max(0, limitSeconds - usedSeconds),
    resetsAt: nextUtcMidnight(now),
  };
}

/**
 * The admission rule: only finished GPU time counts, and a new job is refused once it reaches the
 * quota. Jobs already queued or running were admitted and run to their end (so a user can go over
 * by what they had in line, at most their pending cap); nothing is estimated in advance.
 */
export function quotaRefusal(status: QuotaStatus, now: Date): Failure | null {
  if (status.limitSeconds === null || status.usedSeconds < status.limitSeconds) return null;
  return refuse('gpu_quota_exceeded', {
    reason: 'gpu_quota',
    retryAfterMs: status.resetsAt.getTime() - now.getTime(),
    details: {
      usedSeconds: Math.round(status.usedSeconds),
      limitSeconds: status.limitSeconds,
      resetsAt: status.resetsAt.toISOString(),
    },
  });
}

/** GPU time as people read it: "42 s" under a minute, else minutes with one decimal ("12.5 min"). */
export function formatGpuTime(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 6) / 10;
  return `${Number.isInteger(minutes) ? minutes.toFixed(0) : minutes.toFixed(1)} min`;
}
