import { expect, test } from 'vitest';
import { gpuQuotaMinutes, readSpaceSettings, spaceSettingsSchema } from '../../src/core/policy/space-settings.js';
import { formatGpuTime, nextUtcMidnight, quotaRefusal, quotaStatus, utcDayStart } from '../../src/core/usage/gpu-quota.js';
import { GpuClock } from '../../src/worker/gpu-clock.js';

test('days are UTC days: the boundary and the reset are UTC midnight whatever the hour', () => {
  expect(utcDayStart(new Date('2026-12-03T23:59:59.999Z')).toISOString()).toBe('2026-12-03T00:00:00.000Z');
  expect(nextUtcMidnight(new Date('2026-12-03T00:00:00.000Z')).toISOString()).toBe('2026-12-04T00:00:00.000Z');
  expect(nextUtcMidnight(new Date('2026-12-31T12:00:00.000Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
});

test('quota per role: the role value wins, null lifts the space quota, viewers get the space value', () => {
  const settings = readSpaceSettings({ limits: { gpuMinutesPerDay: 30, overrides: { moderator: { gpuMinutesPerDay: 120 }, admin: { gpuMinutesPerDay: null } } } });
  expect(gpuQuotaMinutes(settings, 'creator')).toBe(30);
  expect(gpuQuotaMinutes(settings, 'moderator')).toBe(120);
  expect(gpuQuotaMinutes(settings, 'admin')).toBeNull();
  expect(gpuQuotaMinutes(readSpaceSettings({}), 'creator')).toBeNull();
  expect(spaceSettingsSchema.safeParse({ limits: { gpuMinutesPerDay: 0 } }).success).toBe(false);
});

test('refused only once finished time reaches the quota, with used, limit and reset in the details', async () => {
  const now = new Date('2026-12-03T18:00:00.000Z');
  const reader = (ms: number) => ({ gpuMsSince: async () => ms });
  expect(quotaRefusal(await quotaStatus(reader(59_999), 'u', 1, now), now)).toBeNull();
  const refused = quotaRefusal(await quotaStatus(reader(60_000), 'u', 1, now), now);
  expect(refused).toMatchObject({
    code: 'gpu_quota_exceeded',
    retryAfterMs: 6 * 3_600_000,
    details: { usedSeconds: 60, limitSeconds: 60, resetsAt: '2026-12-04T00:00:00.000Z' },
  });
  expect(quotaRefusal(await quotaStatus(reader(10 ** 9), 'u', null, now), now)).toBeNull();
  expect((await quotaStatus(reader(90_000), 'u', 1, now)).leftSeconds).toBe(0);
});

test('GPU time reads as seconds under a minute, minutes with one decimal above', () => {
  expect(formatGpuTime(0.4)).toBe('0 s');
  expect(formatGpuTime(42)).toBe('42 s');
  expect(formatGpuTime(60)).toBe('1 min');
  expect(formatGpuTime(750)).toBe('12.5 min');
});

test('the GPU clock counts from the first start to the stop, and nothing when the backend never started', () => {
  let t = 1_000;
  const clock = new GpuClock(() => t);
  t = 1_500;
  expect(clock.ms).toBe(0);
  expect(clock.mark('started')).toBe(true);
  t = 1_700;
  expect(clock.mark('started')).toBe(false);
  t = 2_000;
  clock.mark('stopped');
  t = 9_000;
  clock.stop();
  expect(clock.ms).toBe(500);
  const never = new GpuClock(() => t);
  never.stop();
  expect(never.ms).toBe(0);
});

test('the GPU clock adds up the spans of an attempt that renders twice (a quality re-render)', () => {
  let t = 0;
  const clock = new GpuClock(() => t);
  expect(clock.mark('started')).toBe(true);
  t = 400;
  clock.stop();
  t = 1_000;
  // The second render's start is not the attempt's first: the recorded GPU start stays the first one.
  expect(clock.mark('started')).toBe(false);
  t = 1_250;
  expect(clock.ms).toBe(650);
  clock.mark('stopped');
  t = 5_000;
  clock.stop();
  expect(clock.ms).toBe(650);
});
