import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets, jobs } from '../../src/db/schema.js';
import { api } from '../support/api.js';
import { readSse, startTestStack, streamEnd, type TestStack } from '../support/stack.js';
import { openLink, page } from './projects-support.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: true, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '100', MAX_PENDING_PER_USER: '20' } });
});
afterAll(async () => {
  await stack.close();
});

async function finished(token: string, jobId: string): Promise<string> {
  const events = await readSse(await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/events`, { headers: { authorization: `Bearer ${token}` } }));
  return streamEnd(events);
}

async function done(token: string, body: Record<string, unknown>): Promise<string> {
  const made = await api(stack, 'POST', '/api/anime/generate', token, body);
  expect(made.status).toBe(202);
  expect(await finished(token, made.json.job_id as string)).toBe('completed');
  return made.json.job_id as string;
}

async function stored(jobId: string, variant: string, index = 0): Promise<Buffer> {
  const [row] = await stack.runtime.database.db
    .select()
    .from(assets)
    .where(and(eq(assets.jobId, jobId), eq(assets.variant, variant), eq(assets.outputIndex, index)));
  return readFile(join(stack.dataDir, 'media', row!.storageKey));
}

describe('Variations and Upscale through the API', () => {
  test('a variation of output 1: the same recipe from that picture at strength 0.55 with a new seed, linked to its parent', async () => {
    const token = await stack.token('aiko');
    const parentId = await done(token, { prompt: 'a knight girl in a forest', count: 2, seed: 42, width: 256, height: 256, steps: 4 });
    const answer = await api(stack, 'POST', `/api/anime/generation/${parentId}/variations`, token, { output: 1 });
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ status: 'queued', project: 'general' });
    expect(answer.json.status_url).toMatch(/\/status$/);
    const childId = answer.json.job_id as string;
    expect(await finished(token, childId)).toBe('completed');

    const child = await api(stack, 'GET', `/api/anime/generation/${childId}/status`, token);
    expect(child.json).toMatchObject({ parent: { job_id: parentId, output: 1, kind: 'variation' }, prompt: 'a knight girl in a forest', count: 2, width: 256, height: 256, reused: false });
    expect(child.json.seed).not.toBe(42);
    expect(child.json.images).toHaveLength(2);
    const [row] = await stack.runtime.database.db.select().from(jobs).where(eq(jobs.id, childId));
    expect(row!.referenceStrength).toBeCloseTo(0.55);
    // Its input is the parent's stored original of output 1, byte for byte.
    expect((await stored(childId, 'input')).equals(await stored(parentId, 'original', 1))).toBe(true);

    // The gallery shows the family: the parent's page names its variation, the child's links its parent.
    const link = await api(stack, 'POST', '/api/gallery-link', token);
    const { cookie } = await openLink(link.json.url as string);
    const base = `${stack.baseUrl}/gallery/${row!.spaceId}`;
    const parentPage = await page(`${base}/i/${parentId}`, cookie);
    expect(parentPage.text).toContain('Made from this');
    expect(parentPage.text).toMatch(new RegExp(`href="[^"]*/i/${childId}"`));
    expect(parentPage.text).toContain('Variation of picture 2');
    const childPage = await page(`${base}/i/${childId}`, cookie);
    expect(childPage.text).toContain('Made from');
    expect(childPage.text).toMatch(new RegExp(`href="[^"]*/i/${parentId}"`));
    expect(childPage.text).toMatch(/class="family-parent"><li><a [^>]+><img src="[^"]+\/media\//);

    const parent = await api(stack, 'GET', `/api/anime/generation/${parentId}/status`, token);
    expect(parent.json.parent).toBeNull();
    expect(parent.json.children).toEqual([{ job_id: childId, kind: 'variation', output: 1, status: 'completed', status_url: expect.stringContaining(childId) }]);
  });

  test('two variations of one output both render (never reused), each with its own seed', async () => {
    const token = await stack.token('ren');
    const parentId = await done(token, { prompt: 'a cat on a roof', width: 256, height: 256, steps: 4 });
    const first = await api(stack, 'POST', `/api/anime/generation/${parentId}/variations`, token, {});
    const second = await api(stack, 'POST', `/api/anime/generation/${parentId}/variations`, token);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.json.reused).toBeUndefined();
    expect(second.json.reused).toBeUndefined();
    expect(first.json.seed).not.toBe(second.json.seed);
    for (const id of [first.json.job_id, second.json.job_id] as string[]) expect(await finished(token, id)).toBe('completed');
    const a = await stored(first.json.job_id as string, 'original');
    const b = await stored(second.json.job_id as string, 'original');
    expect(a.equals(b)).toBe(false);
  });

  test('an upscale is twice the size of its output, a lanczos enlargement of that very picture', async () => {
    const token = await stack.token('mika');
    const parentId = await done(token, { prompt: 'a girl with a red umbrella', width: 320, height: 256, steps: 4 });
    const answer = await api(stack, 'POST', `/api/anime/generation/${parentId}/upscale`, token, { output: 0 });
    expect(answer.status).toBe(202);
    const childId = answer.json.job_id as string;
    expect(await finished(token, childId)).toBe('completed');
    const status = await api(stack, 'GET', `/api/anime/generation/${childId}/status`, token);
    expect(status.json).toMatchObject({ parent: { job_id: parentId, output: 0, kind: 'upscale' }, width: 640, height: 512, count: 1 });
    expect(status.json.images[0]).toMatchObject({ width: 640, height: 512 });
    const big = await stored(childId, 'original');
    expect(await sharp(big).metadata()).toMatchObject({ width: 640, height: 512 });
    // Shrunk back, it is the parent's picture (the upscale painted nothing of its own).
    const original = await sharp(await stored(parentId, 'original')).removeAlpha().raw().toBuffer();
    const back = await sharp(big).resize(320, 256, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < original.length; i++) diff += Math.abs(original[i]! - back[i]!);
    expect(diff / original.length).toBeLessThan(6);
  });

  test('refusals: a bad or missing output is a 400 on `output`, a 2x beyond 2048 px is refused, others cannot read the job', async () => {
    const token = await stack.token('sora');
    const parentId = await done(token, { prompt: 'a lighthouse at dusk', width: 1032, height: 256, steps: 2 });
    const bad = await api(stack, 'POST', `/api/anime/generation/${parentId}/variations`, token, { output: -1 });
    expect([bad.status, bad.json.error.field, bad.json.error.code]).toEqual([400, 'output', 'invalid_input']);
    const text = await api(stack, 'POST', `/api/anime/generation/${parentId}/upscale`, token, { output: 'first' });
    expect([text.status, text.json.error.field]).toEqual([400, 'output']);
    const missing = await api(stack, 'POST', `/api/anime/generation/${parentId}/variations`, token, { output: 2 });
    expect([missing.status, missing.json.error.field]).toEqual([400, 'output']);
    expect(missing.json.error.message).toContain('one picture (0)');
    const tooBig = await api(stack, 'POST', `/api/anime/generation/${parentId}/upscale`, token, { output: 0 });
    expect([tooBig.status, tooBig.json.error.field]).toEqual([400, 'output']);
    expect(tooBig.json.error.message).toContain('1032×256, and twice that would pass the 2048 px limit');
    const stranger = await stack.token('kai');
    const hidden = await api(stack, 'POST', `/api/anime/generation/${parentId}/variations`, stranger, { output: 0 });
    expect(hidden.status).toBe(404);
    const viewer = await stack.token('yui', 'viewer');
    const notCreator = await api(stack, 'POST', `/api/anime/generation/${parentId}/variations`, viewer, { output: 0 });
    expect(notCreator.status).toBe(404);
    const moderator = await stack.token('mod', 'moderator');
    const byModerator = await api(stack, 'POST', `/api/anime/generation/${parentId}/variations`, moderator, { output: 0 });
    expect(byModerator.status).toBe(202);
    const children = await stack.runtime.database.db.select().from(jobs).where(eq(jobs.parentJobId, parentId));
    expect(children.map((c) => c.parentRelation)).toEqual(['variation']);
  });

  test('a re-roll is recorded as a child (no output), a deleted job has nothing to vary', async () => {
    const token = await stack.token('hana');
    const parentId = await done(token, { prompt: 'a fox spirit', width: 256, height: 256, steps: 2 });
    const reroll = await api(stack, 'POST', `/api/anime/generation/${parentId}/reroll`, token);
    expect(reroll.status).toBe(202);
    expect(await finished(token, reroll.json.job_id as string)).toBe('completed');
    const status = await api(stack, 'GET', `/api/anime/generation/${reroll.json.job_id}/status`, token);
    expect(status.json.parent).toEqual({ job_id: parentId, output: null, kind: 'reroll' });
    expect((await api(stack, 'DELETE', `/api/anime/generation/${parentId}/images`, token)).status).toBe(200);
    const gone = await api(stack, 'POST', `/api/anime/generation/${parentId}/upscale`, token, {});
    expect([gone.status, gone.json.error.code]).toEqual([409, 'conflict']);
    expect(gone.json.error.message).toContain('pictures were deleted');
  });
});
