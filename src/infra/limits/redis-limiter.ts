import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { UserLimits } from '../../core/policy/user-limits.js';

export type LimitName = 'rate' | 'pending' | 'queue';

export type Admission =
  /** `pendingBefore`: the user's jobs already pending, for `fairPriority`. */
  | { ok: true; pendingBefore: number }
  | { ok: false; limit: LimitName; retryAfterMs: number };

export interface AdmissionRequest {
  /** Who is limited: an app user id, possibly scoped by the caller (e.g. `${spaceId}:${userId}`). */
  userKey: string;
  /** Unique across all users; released with `release` when the job ends. */
  jobId: string;
  limits: UserLimits;
}

export interface RedisLimiterOptions {
  /** Jobs queued or running across everyone (the global queue cap). */
  maxQueue: number;
  /** Suggested wait when the user's pending cap is full: about one job's run. */
  pendingRetryAfterMs?: number;
  /** Suggested wait when the whole queue is full. */
  queueRetryAfterMs?: number;
  /**
   * Pending entries older than this are dropped on the next admission: they belong to jobs whose
   * process died before `release`. Longer than any job can wait and run.
   */
  staleAfterMs?: number;
}

/*
 * One script decides and applies all three limits, so any number of processes can admit at once and
 * none can over-admit: Redis runs a script to completion before the next command. Time comes from
 * Redis (TIME) so clock skew between hosts cannot stretch the rate.
 *
 * Rate: GCRA (a token bucket that stores one number, the theoretical arrival time `tat`). Each
 * admission moves `tat` one interval (60000 / ratePerMinute ms) forward; a request is refused while
 * `tat` is more than `burst` intervals ahead of now, and the refusal says exactly when it will not be.
 * Pending: sorted sets of job ids (member = job id, score = admission time), per user and global;
 * sets rather than counters make `release` idempotent and let stale entries expire.
 * Checks run before any write, so a refusal consumes nothing.
 */
const ADMIT = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local job_id = ARGV[1]
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local max_pending = tonumber(ARGV[4])
local max_queue = tonumber(ARGV[5])
local stale_after = tonumber(ARGV[6])

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - stale_after)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - stale_after)
local pending = redis.call('ZCARD', KEYS[2])
if redis.call('ZSCORE', KEYS[2], job_id) then
  return {1, pending - 1}
end

local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now - tolerance
if wait > 0 then
  return {0, 'rate', math.ceil(wait)}
end
if pending >= max_pending then
  return {0, 'pending', 0}
end
if redis.call('ZCARD', KEYS[3]) >= max_queue then
  return {0, 'queue', 0}
end

local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1)
redis.call('ZADD', KEYS[2], now, job_id)
redis.call('PEXPIRE', KEYS[2], stale_after)
redis.call('ZADD', KEYS[3], now, job_id)
return {1, pending}
`;

const RELEASE = `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return removed
`;

/** Runs a script by its SHA1, loading it on the first NOSCRIPT (a new or restarted Redis). */
class Script {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

const admitScript = new Script(ADMIT);
const releaseScript = new Script(RELEASE);

const DEFAULT_PENDING_RETRY_MS = 10_000;
const DEFAULT_QUEUE_RETRY_MS = 30_000;
const DEFAULT_STALE_AFTER_MS = 6 * 60 * 60 * 1000;

export class RedisLimiter {
  private readonly options: Required<RedisLimiterOptions>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: RedisLimiterOptions,
  ) {
    if (prefix === '') throw new Error('RedisLimiter needs a key prefix');
    this.options = {
      pendingRetryAfterMs: DEFAULT_PENDING_RETRY_MS,
      queueRetryAfterMs: DEFAULT_QUEUE_RETRY_MS,
      staleAfterMs: DEFAULT_STALE_AFTER_MS,
      ...options,
    };
  }

  /** Admits one job or says which limit refused it; admitting the same job id twice admits it once. */
  async admit(request: AdmissionRequest): Promise<Admission> {
    const { ratePerMinute, burst, maxPending } = request.limits;
    if (!(ratePerMinute > 0) || !(burst >= 0) || !(maxPending >= 0) || request.userKey === '' || request.jobId === '') {
      throw new RangeError('admit needs a user key, a job id, ratePerMinute > 0, burst >= 0 and maxPending >= 0');
    }
    const interval = 60_000 / ratePerMinute;
    const reply = await admitScript.run(
      this.redis,
      [this.rateKey(request.userKey), this.userKey(request.userKey), this.queueKey()],
      [request.jobId, interval, interval * burst, maxPending, this.options.maxQueue, this.options.staleAfterMs],
    );
    const [admitted, second, third] = reply as [number, number | LimitName, number | undefined];
    if (admitted === 1) return { ok: true, pendingBefore: Number(second) };
    const limit = second as LimitName;
    const retryAfterMs =
      limit === 'rate' ? Math.max(1, Number(third)) : limit === 'pending' ? this.options.pendingRetryAfterMs : this.options.queueRetryAfterMs;
    return { ok: false, limit, retryAfterMs };
  }

  /** Frees a job's pending slots when it completes, fails or is cancelled. True if it was pending. */
  async release(userKey: string, jobId: string): Promise<boolean> {
    const removed = await releaseScript.run(this.redis, [this.userKey(userKey), this.queueKey()], [jobId]);
    return removed === 1;
  }

  async pendingCount(userKey: string): Promise<number> {
    return this.redis.zcard(this.userKey(userKey));
  }

  async queueSize(): Promise<number> {
    return this.redis.zcard(this.queueKey());
  }

  private rateKey(userKey: string): string {
    return `${this.prefix}:limits:rate:${userKey}`;
  }

  private userKey(userKey: string): string {
    return `${this.prefix}:limits:pending:${userKey}`;
  }

  private queueKey(): string {
    return `${this.prefix}:limits:queue`;
  }
}
