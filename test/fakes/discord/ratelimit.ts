import { createHash } from 'node:crypto';
import { DiscordHttpError, matchPath } from './http.js';

/**
 * Which requests an injected fault applies to: `'PATCH /webhooks/:app/:token/messages/@original'`
 * (":" segments are wildcards, method `*` matches any), a RegExp tested on `"METHOD /path"`, or a predicate.
 */
export type RouteMatcher = string | RegExp | ((req: { method: string; path: string }) => boolean);

interface Injection {
  matcher: RouteMatcher;
  status: number;
  retryAfter: number;
  global: boolean;
  scope: 'user' | 'shared' | 'global';
  remaining: number;
}

interface Bucket {
  remaining: number;
  resetAt: number;
}

export function matches(matcher: RouteMatcher, method: string, path: string): boolean {
  if (typeof matcher === 'function') return matcher({ method, path });
  if (matcher instanceof RegExp) return matcher.test(`${method} ${path}`);
  const [wantMethod = '*', pattern = ''] = matcher.split(' ');
  return (wantMethod === '*' || wantMethod.toUpperCase() === method) && matchPath(pattern, path) !== undefined;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * Per-bucket limits with the headers @discordjs/rest steers by (SequentialHandler reads
 * X-RateLimit-Limit/Remaining/Reset-After/Bucket and Retry-After), plus scripted 429s and 5xx.
 * A bucket is method + route template + top-level resource, as Discord computes it.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly injections: Injection[] = [];

  constructor(private readonly config: { limit: number; windowMs: number }) {}

  rateLimitNext(matcher: RouteMatcher, retryAfterSeconds: number, opts: { global?: boolean; times?: number } = {}): void {
    const global = opts.global ?? false;
    this.injections.push({
      matcher,
      status: 429,
      retryAfter: retryAfterSeconds,
      global,
      scope: global ? 'global' : 'user',
      remaining: opts.times ?? 1,
    });
  }

  failNext(matcher: RouteMatcher, status = 500, times = 1): void {
    this.injections.push({ matcher, status, retryAfter: 0, global: false, scope: 'user', remaining: times });
  }

  /** Headers for this request, or the error to answer with instead of running the handler. */
  admit(method: string, path: string, template: string, major: string, enforce: boolean): Record<string, string> {
    const now = Date.now();
    const key = `${method} ${template} ${major}`;
    const hash = createHash('sha1').update(`${method} ${template}`).digest('hex').slice(0, 32);
    let bucket = this.buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { remaining: this.config.limit, resetAt: now + this.config.windowMs };
      this.buckets.set(key, bucket);
    }
    const headers = (remaining: number, resetAt = bucket.resetAt): Record<string, string> => ({
      'X-RateLimit-Limit': String(this.config.limit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': seconds(resetAt),
      'X-RateLimit-Reset-After': seconds(resetAt - now),
      'X-RateLimit-Bucket': hash,
    });

    const injected = this.injections.find((i) => i.remaining > 0 && matches(i.matcher, method, path));
    if (injected) {
      injected.remaining--;
      if (injected.status !== 429) {
        // An upstream failure: Discord's edge answers without rate-limit headers or a JSON body.
        throw new DiscordHttpError(injected.status, { message: `${injected.status}: Internal Server Error`, code: 0 });
      }
      // The scripted limit resets when retry_after says, whatever the bucket's own window.
      throw tooManyRequests(injected.retryAfter, injected.global, injected.scope, headers(0, now + injected.retryAfter * 1000));
    }
    if (enforce && bucket.remaining <= 0) {
      throw tooManyRequests((bucket.resetAt - now) / 1000, false, 'user', headers(0));
    }
    bucket.remaining = Math.max(0, bucket.remaining - 1);
    return headers(bucket.remaining);
  }
}

function tooManyRequests(
  retryAfter: number,
  global: boolean,
  scope: string,
  headers: Record<string, string>,
): DiscordHttpError {
  return new DiscordHttpError(
    429,
    { message: 'You are being rate limited.', retry_after: Number(retryAfter.toFixed(3)), global },
    {
      ...headers,
      // Discord's docs show Retry-After as whole seconds (body retry_after keeps the fraction).
      'Retry-After': String(Math.max(1, Math.ceil(retryAfter))),
      'X-RateLimit-Scope': scope,
      ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
    },
  );
}
