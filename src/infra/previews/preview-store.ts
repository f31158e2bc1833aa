import type { Redis } from 'ioredis';

/** One job's latest in-progress picture, as the preview route serves it. */
export interface StoredPreview {
  seq: number;
  mime: string;
  data: Buffer;
}

/** Long enough to outlast the quiet stretch after sampling (decoding, saving); the worker removes it at the attempt's end anyway. */
const DEFAULT_TTL_SECONDS = 300;

/**
 * Live previews in Redis, one hash per job (`<prefix>:preview:<job>`: seq, mime, data), only the
 * latest kept: they are news, not media, so never an asset row and never the media store. Written
 * by the worker running the job, read by the web (which may run on another host); each write
 * renews a short TTL so a worker that dies mid-job leaves nothing behind for long.
 */
export class PreviewStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = DEFAULT_TTL_SECONDS,
  ) {}

  /**
   * Keeps this picture as the job's latest and returns its sequence number: `floor` + 1, + 2, ...
   * from the attempt's first picture (the job's hash is removed between attempts, so a later
   * attempt passes a higher floor and its pictures never read as older than an earlier one's).
   */
  async put(jobId: string, image: { mime: string; data: Buffer }, floor = 0): Promise<number> {
    const key = this.key(jobId);
    const results = await this.redis
      .multi()
      .hsetnx(key, 'seq', floor)
      .hincrby(key, 'seq', 1)
      .hset(key, 'mime', image.mime, 'data', image.data)
      .expire(key, this.ttlSeconds)
      .exec();
    const [error, seq] = results?.[1] ?? [new Error('the preview write was discarded'), undefined];
    if (error) throw error;
    return Number(seq);
  }

  async get(jobId: string): Promise<StoredPreview | undefined> {
    const fields = await this.redis.hgetallBuffer(this.key(jobId));
    const seq = Number(fields.seq?.toString('utf8'));
    if (!fields.data || !fields.mime || !Number.isSafeInteger(seq)) return undefined;
    return { seq, mime: fields.mime.toString('utf8'), data: fields.data };
  }

  /** The attempt ended: its preview goes with it. */
  async remove(jobId: string): Promise<void> {
    await this.redis.del(this.key(jobId));
  }

  private key(jobId: string): string {
    return `${this.prefix}:preview:${jobId}`;
  }
}
