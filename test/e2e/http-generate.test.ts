import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets, jobs } from '../../src/db/schema.js';
import type { WebJobView } from '../../src/web/job-view.js';
import { readSse, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false });
});

/** The worker starts on demand, so a test can subscribe to a job's events before any can happen. */
async function ensureWorker(): Promise<void> {
  if (!stack.worker) await stack.startWorker();
}
afterAll(async () => {
  await stack.close();
});

async function generate(token: string, body: unknown) {
  const response = await fetch(`${stack.baseUrl}/api/anime/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('POST /api/anime/generate through to a stored image', () => {
  test('request -> progress events -> finished image on disk, in the records, served by id', async () => {
    await stack.stopWorker();
    const token = await stack.token('aiko', 'creator');
    const created = await generate(token, { prompt: 'a girl with pink hair by the sea at sunset', width: 256, height: 320, seed: 42, steps: 8 });
    expect(created.status).toBe(202);
    const jobId = created.json.job_id as string;
    expect(created.json.status_url).toBe(`${stack.baseUrl}/api/anime/generation/${jobId}/status`);

    const stream = await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Headers arrive only after the server subscribed, so every event from here on is ours to see.
    await ensureWorker();
    const events = await readSse(stream);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('status');
    expect(names.at(-1)).toBe('completed');
    const percents = events.filter((e) => e.event === 'progress').map((e) => e.data.progress as number);
    expect(new Set(percents.filter((p) => p > 0 && p < 100)).size).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < percents.length; i++) expect(percents[i]!).toBeGreaterThanOrEqual(percents[i - 1]!);

    const completed = events.at(-1)!.data as { images: Array<{ url: string; thumbnail_url: string; webp_url: string; width: number; height: number }> };
    expect(completed.images).toHaveLength(1);
    const image = completed.images[0]!;
    // The job message as the web renders it rides along: from the record's "queued" to the final view.
    const views = events.filter((e) => e.event === 'view').map((e) => e.data as unknown as WebJobView);
    // Nothing measured yet on a fresh database: the estimate is the cold-start default, said as "about".
    expect(views[0]).toMatchObject({ stage: 'queued', text: expect.stringMatching(/^Queued — 1st in line · expected start about \d\d:\d\d UTC/), final: false });
    expect(views[0]!.eta).toMatchObject({ starts_at: expect.any(String), finishes_at: expect.any(String), approximate: true });
    expect(views.filter((v) => v.final)).toEqual([views.at(-1)]);
    expect(views.at(-1)).toMatchObject({ stage: 'completed', text: 'Done', percent: 100, recipe: 'seed 42 · 256×320 · builtin', actions: ['reroll', 'delete'] });
    // The same file (a link signed a moment apart may carry the next hour's expiry).
    expect(views.at(-1)!.images.map((i) => new URL(i.url).pathname)).toEqual([new URL(image.url).pathname]);
    const original = Buffer.from(await (await fetch(image.url)).arrayBuffer());
    const meta = await sharp(original).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 320]);
    const thumb = await sharp(Buffer.from(await (await fetch(image.thumbnail_url)).arrayBuffer())).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBeLessThanOrEqual(256);
    expect((await sharp(Buffer.from(await (await fetch(image.webp_url)).arrayBuffer())).metadata()).format).toBe('webp');

    const rows = await stack.database.db.select().from(assets).where(eq(assets.jobId, jobId));
    expect(rows.map((r) => r.variant).sort()).toEqual(['original', 'thumbnail', 'webp']);
    const originalRow = rows.find((r) => r.variant === 'original')!;
    expect(originalRow.sha256).toBe(createHash('sha256').update(original).digest('hex'));
    expect([originalRow.width, originalRow.height, originalRow.bytes]).toEqual([256, 320, original.length]);
    const [job] = await stack.database.db.select().from(jobs).where(eq(jobs.id, jobId));
    const day = job!.createdAt.toISOString().slice(0, 10);
    expect(originalRow.storageKey).toBe(`general/${day}/${jobId}-0.png`);
    const onDisk = await stat(join(stack.runtime.config.STORAGE_DIR, 'general', day, `${jobId}-0.png`));
    expect(onDisk.size).toBe(original.length);
    expect(job!.status).toBe('completed');
    expect(job!.progress).toBe(100);
    expect(job!.startedAt).toBeInstanceOf(Date);
    expect(job!.finishedAt!.getTime()).toBeGreaterThanOrEqual(job!.startedAt!.getTime());
    expect([job!.seed, job!.backend, job!.attempts, job!.characterIds, job!.loras]).toEqual([42, 'builtin', 1, [], []]);
    expect(job!.reply).toEqual({ platform: 'web' });
    expect(job!.request).toMatchObject({ prompt: 'a girl with pink hair by the sea at sunset', seed: 42 });

    const status = await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/status`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await status.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ job_id: jobId, status: 'completed', progress: 100, seed: 42, width: 256, height: 320, project: 'general' });
    expect((body.images as unknown[]).length).toBe(1);
    // The signed link trades its pass for a cookie, then shows the project (as a browser would follow it).
    const pass = await fetch(body.project_url as string, { redirect: 'manual' });
    expect(pass.status).toBe(303);
    const cookie = pass.headers.get('set-cookie')!.split(';')[0]!;
    const gallery = await fetch(new URL(pass.headers.get('location')!, stack.baseUrl), { headers: { cookie } });
    expect(gallery.status).toBe(200);
    expect(await gallery.text()).toContain('General');
    expect(JSON.stringify(body)).not.toContain(stack.runtime.config.STORAGE_DIR);
  });

  test('a job is visible to its owner and to moderators, not to another creator', async () => {
    await ensureWorker();
    const owner = await stack.token('ren', 'creator');
    const created = await generate(owner, { prompt: 'a cat on a roof', width: 64, height: 64, steps: 2 });
    const url = `${stack.baseUrl}/api/anime/generation/${created.json.job_id as string}/status`;
    const as = async (token: string) => (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await as(owner)).toBe(200);
    expect(await as(await stack.token('mio', 'creator'))).toBe(404);
    expect(await as(await stack.token('mod', 'moderator'))).toBe(200);
    expect(await as(await stack.token('mod-elsewhere', 'moderator', 'other-space'))).toBe(404);

    // Re-roll takes the same rule: an id alone never re-runs (and so shows) another's prompt.
    const reroll = async (token: string) =>
      fetch(`${stack.baseUrl}/api/anime/generation/${created.json.job_id as string}/reroll`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await reroll(await stack.token('mio', 'creator'))).status).toBe(404);
    const again = await reroll(owner);
    expect(again.status).toBe(202);
    const rerolled = (await again.json()) as { job_id: string; seed: number };
    expect(rerolled.job_id).not.toBe(created.json.job_id);
    const [record] = await stack.database.db.select().from(jobs).where(eq(jobs.id, rerolled.job_id));
    expect(record!.request).toMatchObject({ prompt: 'a cat on a roof', width: 64, height: 64, steps: 2 });
    expect(record!.reply).toEqual({ platform: 'web' });
  });

  test('the seed API shape is accepted: type image, negative_prompt', async () => {
    const token = await stack.token('seed-user', 'creator');
    const created = await generate(token, { prompt: 'anime girl', type: 'image', negative_prompt: 'blurry' });
    expect(created.status).toBe(202);
  });
});

describe('GET /metrics', () => {
  test('counts finished jobs for admins, refuses everyone else', async () => {
    await ensureWorker();
    const token = await stack.token('metered', 'creator');
    const created = await generate(token, { prompt: 'a lantern festival', width: 64, height: 64, steps: 2 });
    const done = await fetch(`${stack.baseUrl}/api/anime/generation/${created.json.job_id as string}/events`, { headers: { authorization: `Bearer ${token}` } });
    await readSse(done);
    expect((await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    expect((await fetch(`${stack.baseUrl}/metrics`)).status).toBe(401);
    const response = await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${await stack.token('ops', 'admin')}` } });
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const completed = /anime_jobs_finished_total\{status="completed"\} (\d+)/.exec(text);
    expect(Number(completed?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/anime_queue_depth \d+/);
    expect(text).toMatch(/anime_job_duration_seconds_count\{backend="builtin"\} [1-9]/);
  });
});
