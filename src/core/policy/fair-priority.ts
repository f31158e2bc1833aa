/** BullMQ's largest priority value (2^21); higher numbers are rejected by BullMQ. */
export const MAX_QUEUE_PRIORITY = 2_097_152;

/**
 * The queue priority for a user's next job, from how many of their jobs are already pending.
 *
 * BullMQ serves lower priority numbers first and, within one priority, in the order jobs were added.
 * Giving a user's Nth pending job priority N therefore puts it behind every other user's first
 * pending job (priority 1), every second job behind all firsts, and so on: one user queueing 100
 * jobs cannot make ten others wait for all 100. The number is taken when the job is added and never
 * changed, which is enough: a later newcomer's first job (priority 1) still overtakes the heavy
 * user's remaining jobs (priority >= 2). Capped at BullMQ's maximum.
 */
export function fairPriority(pendingCountOfUserBeforeThis: number): number {
  if (!Number.isFinite(pendingCountOfUserBeforeThis) || pendingCountOfUserBeforeThis < 0) return 1;
  return Math.min(Math.floor(pendingCountOfUserBeforeThis) + 1, MAX_QUEUE_PRIORITY);
}
