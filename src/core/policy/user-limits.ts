/**
 * How much one user may ask for. The rate is a sustained pace with a burst allowance (GCRA /
 * token bucket): a rested user may send `burst + 1` requests at once, then one every
 * `60 / ratePerMinute` seconds; over any minute that is at most `ratePerMinute + burst`.
 */
export interface UserLimits {
  /** Sustained generations per minute. */
  ratePerMinute: number;
  /** Extra requests allowed back to back above the sustained pace (0: strictly paced). */
  burst: number;
  /** Jobs queued or running at once. */
  maxPending: number;
}
