import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets, jobs, uploads } from '../../src/db/schema.js';
import { api } from '../support/api.js';
import { expectNoLeak } from '../support/leaks.js';
import { readSse, startTestStack, streamEnd, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  // Generous limits: this file makes many jobs for one user.
  stack = await startTestStack({ worker: true, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '100', MAX_PENDING_PER_USER: '20' } });
});
afterAll(async () => {
  await stack.close();
});

const magentaJpegWithGps = () =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 255, g: 0, b: 255 } } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'photographer' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 41/1 22/1' } })
    .toBuffer();

async function upload(token: string, data: Buffer, name = 'photo.jpg', type = 'image/jpeg') {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(data)], { type }), name);
  const response = await fetch(`${stack.baseUrl}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await response.text();
  expectNoLeak(text, [stack.env.APP_SECRET!]);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
  return { status: response.status, json: JSON.parse(text) as Record<string, any> };
}

/** Waits for the job's end through its event stream and answers how it ended. */
async function finished(token: string, jobId: string): Promise<{ event: string }> {
  const events = await readSse(await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/events`, { headers: { authorization: `Bearer ${token}` } }));
  return { event: streamEnd(events) };
}

const storedFile = (key: string) => readFile(join(stack.dataDir, 'media', key));

async function originalOf(jobId: string): Promise<Buffer> {
  const [row] = await stack.runtime.database.db.select().from(assets).where(and(eq(assets.jobId, jobId), eq(assets.variant, 'original')));
  return storedFile(row!.storageKey);
}

async function magentaShare(data: Buffer): Promise<number> {
  const raw = await sharp(data).removeAlpha().raw().toBuffer();
  let hits = 0;
  for (let i = 0; i < raw.length; i += 3) if (raw[i]! > 200 && raw[i + 1]! < 60 && raw[i + 2]! > 200) hits++;
  return hits / (raw.length / 3);
}

describe('POST /api/uploads', () => {
  test('a JPEG with GPS is stored re-encoded, its EXIF gone, and answers its asset_id', async () => {
    const token = await stack.token('aiko');
    const sent = await magentaJpegWithGps();
    expect((await sharp(sent).metadata()).exif).toBeDefined();
    const answer = await upload(token, sent);
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ mime: 'image/jpeg', width: 320, height: 240 });
    const [row] = await stack.runtime.database.db.select().from(uploads).where(eq(uploads.id, answer.json.asset_id as string));
    expect(row!.storageKey).toMatch(/^_uploads\/[0-9a-f-]{36}\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}\.jpg$/);
    const kept = await storedFile(row!.storageKey);
    expect((await sharp(kept).metadata()).exif).toBeUndefined();
    expect(kept.includes(Buffer.from('photographer'))).toBe(false);
  });

  test('refused: a GIF, HTML called .png, a bomb PNG header, a JSON body, no file field; nothing is stored', async () => {
    const token = await stack.token('aiko');
    const before = (await stack.runtime.database.db.select().from(uploads)).length;
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).gif().toBuffer();
    const gifAnswer = await upload(token, gif, 'cat.gif', 'image/gif');
    expect([gifAnswer.status, gifAnswer.json.error]).toEqual([400, { code: 'invalid_input', message: 'file: only PNG, JPEG and WebP images are accepted', field: 'file', reason: 'image_type' }]);
    const html = await upload(token, Buffer.from('<html><body>not a picture</body></html>'), 'x.png', 'image/png');
    expect(html.json.error).toMatchObject({ code: 'invalid_input', reason: 'image_type' });
    // 20000 x 20000 claimed by a few hundred bytes: refused from the header.
    const header = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer();
    header.writeUInt32BE(20_000, 16);
    header.writeUInt32BE(20_000, 20);
    const bomb = await upload(token, header, 'bomb.png', 'image/png');
    expect(bomb.json.error).toMatchObject({ code: 'invalid_input', field: 'file' });
    expect(['image_too_many_pixels', 'image_unreadable']).toContain(bomb.json.error.reason);
    const json = await api(stack, 'POST', '/api/uploads', token, { file: 'abc' });
    expect([json.status, json.json.error.code]).toEqual([415, 'unsupported_media_type']);
    const form = new FormData();
    form.set('other', 'x');
    const noFile = await fetch(`${stack.baseUrl}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(noFile.status).toBe(400);
    expect((await stack.runtime.database.db.select().from(uploads)).length).toBe(before);
  });

  test('viewers may not upload', async () => {
    const answer = await upload(await stack.token('watcher', 'viewer'), await magentaJpegWithGps());
    expect([answer.status, answer.json.error.code]).toEqual([403, 'forbidden']);
  });
});

describe('generating from a reference picture (built-in renderer)', () => {
  test('the job records its input asset, and the output visibly contains the picture', async () => {
    const token = await stack.token('aiko');
    const uploaded = await upload(token, await magentaJpegWithGps());
    const withRef = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a girl with silver hair', width: 256, height: 256, seed: 7, steps: 4, reference_image: uploaded.json.asset_id, strength: 1 });
    const plain = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a girl with silver hair', width: 256, height: 256, seed: 7, steps: 4 });
    expect([withRef.status, plain.status]).toEqual([202, 202]);
    expect((await finished(token, withRef.json.job_id as string)).event).toBe('completed');
    expect((await finished(token, plain.json.job_id as string)).event).toBe('completed');

    const inputs = await stack.runtime.database.db.select().from(assets).where(and(eq(assets.jobId, withRef.json.job_id as string), eq(assets.variant, 'input')));
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({ outputIndex: 0, sourceUploadId: uploaded.json.asset_id, characterId: null, mime: 'image/jpeg', width: 320, height: 240 });
    expect(inputs[0]!.storageKey).toMatch(new RegExp(`^general/\\d{4}-\\d{2}-\\d{2}/${withRef.json.job_id as string}-0\\.input\\.jpg$`));
    expect((await storedFile(inputs[0]!.storageKey)).length).toBe(inputs[0]!.bytes);
    const [job] = await stack.runtime.database.db.select().from(jobs).where(eq(jobs.id, withRef.json.job_id as string));
    expect(job!.referenceStrength).toBe(1);

    const [withPicture, without] = await Promise.all([originalOf(withRef.json.job_id as string), originalOf(plain.json.job_id as string)]);
    expect(withPicture.equals(without)).toBe(false);
    expect(await magentaShare(without)).toBe(0);
    expect(await magentaShare(withPicture)).toBeGreaterThan(0.5);
    // The input is not an output: the status lists one image.
    const status = await api(stack, 'GET', `/api/anime/generation/${withRef.json.job_id as string}/status`, token);
    expect(status.json.images).toHaveLength(1);
  });

  test('an upload of another space is not found, strength alone is refused, a bad strength is refused: nothing queued', async () => {
    const token = await stack.token('aiko');
    const elsewhere = await upload(await stack.token('ren', 'creator', 'other-studio'), await magentaJpegWithGps());
    const before = (await stack.runtime.database.db.select().from(jobs)).length;
    const foreign = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a cat', reference_image: elsewhere.json.asset_id });
    expect([foreign.status, foreign.json.error]).toEqual([404, { code: 'not_found', message: 'reference_image: no such uploaded image', field: 'reference_image' }]);
    const missing = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a cat', reference_image: '00000000-0000-4000-8000-000000000000' });
    expect(missing.json.error).toMatchObject({ code: 'not_found', field: 'reference_image' });
    const alone = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a cat', strength: 0.5 });
    expect(alone.json.error).toMatchObject({ code: 'invalid_input', field: 'strength' });
    const bad = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a cat', reference_image: elsewhere.json.asset_id, strength: 2 });
    expect(bad.json.error).toMatchObject({ code: 'invalid_input', field: 'strength', message: 'strength must be between 0 and 1' });
    expect((await stack.runtime.database.db.select().from(jobs)).length).toBe(before);
  });
});

describe('characters with reference pictures (API)', () => {
  test('a moderator attaches pictures; generating with the character records which were used, in order, after the own one', async () => {
    const mod = await stack.token('mika', 'moderator');
    const creator = await stack.token('aiko');
    expect((await api(stack, 'POST', '/api/characters', mod, { name: 'Hana', prompt: 'girl, red hair' })).status).toBe(201);
    const first = await upload(mod, await magentaJpegWithGps());
    const second = await upload(mod, await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0a0' } }).png().toBuffer(), 'green.png', 'image/png');
    expect((await api(stack, 'PUT', '/api/characters/Hana/references', creator, { images: [first.json.asset_id] })).status).toBe(403);
    const set = await api(stack, 'PUT', '/api/characters/Hana/references', mod, { images: [first.json.asset_id] });
    expect(set.json.reference_images).toEqual([first.json.asset_id]);
    const added = await api(stack, 'POST', '/api/characters/Hana/references', mod, { image: second.json.asset_id });
    expect(added.json.reference_images).toEqual([first.json.asset_id, second.json.asset_id]);
    const foreign = await upload(await stack.token('ren', 'creator', 'other-studio'), await magentaJpegWithGps());
    const refused = await api(stack, 'POST', '/api/characters/Hana/references', mod, { image: foreign.json.asset_id });
    expect([refused.status, refused.json.error.field]).toEqual([404, 'images']);
    expect((await api(stack, 'GET', '/api/characters/Hana', creator)).json.reference_images).toEqual([first.json.asset_id, second.json.asset_id]);

    const own = await upload(creator, await sharp({ create: { width: 64, height: 64, channels: 3, background: '#00f' } }).webp().toBuffer(), 'blue.webp', 'image/webp');
    const job = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'at the beach', characters: ['Hana'], reference_image: own.json.asset_id, width: 128, height: 128, steps: 2 });
    expect(job.status).toBe(202);
    expect((await finished(creator, job.json.job_id as string)).event).toBe('completed');
    const hana = (await api(stack, 'GET', '/api/characters/Hana', creator)).json;
    const inputs = await stack.runtime.database.db.select().from(assets).where(and(eq(assets.jobId, job.json.job_id as string), eq(assets.variant, 'input'))).orderBy(assets.outputIndex);
    expect(inputs.map((i) => [i.outputIndex, i.sourceUploadId, i.characterId, i.mime])).toEqual([
      [0, own.json.asset_id, null, 'image/webp'],
      [1, first.json.asset_id, hana.id, 'image/jpeg'],
      [2, second.json.asset_id, hana.id, 'image/png'],
    ]);
  });
});
