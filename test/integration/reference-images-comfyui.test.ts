import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets } from '../../src/db/schema.js';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';
import { api } from '../support/api.js';
import { readSse, startTestStack, streamEnd, type TestStack } from '../support/stack.js';

let comfy: ComfyUiHarness;
let stack: TestStack;

beforeAll(async () => {
  comfy = await startComfyUiHarness();
  stack = await startTestStack({ worker: true, env: { COMFYUI_URL: comfy.fake.url } });
});
afterAll(async () => {
  await stack?.close();
  await comfy?.cleanup();
});

async function upload(token: string, data: Buffer, type: string) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(data)], { type }), 'reference');
  const response = await fetch(`${stack.baseUrl}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return ((await response.json()) as { asset_id: string }).asset_id;
}

describe('reference pictures through ComfyUI (the fake server)', () => {
  test('the picture goes up with /upload/image before the prompt; the img2img graph names it in $image, $denoise = 1 - strength', async () => {
    const token = await stack.token('aiko');
    const picture = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toBuffer();
    const assetId = await upload(token, picture, 'image/png');
    const created = await api(stack, 'POST', '/api/anime/generate', token, { prompt: 'a girl in a garden', width: 512, height: 768, steps: 3, seed: 5, reference_image: assetId, strength: 0.7 });
    expect(created.status).toBe(202);
    const jobId = created.json.job_id as string;
    const events = await readSse(await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/events`, { headers: { authorization: `Bearer ${token}` } }));
    expect(streamEnd(events)).toBe('completed');

    const [input] = await stack.runtime.database.db.select().from(assets).where(and(eq(assets.jobId, jobId), eq(assets.variant, 'input')));
    expect(input).toMatchObject({ sourceUploadId: assetId, mime: 'image/png', outputIndex: 0 });

    const name = `anime-production_${jobId}_0.png`;
    const uploadsSeen = comfy.fake.received.uploads.filter((u) => u.name === name);
    expect(uploadsSeen).toHaveLength(1);
    expect(uploadsSeen[0]).toMatchObject({ type: 'input', subfolder: '', overwrite: true });
    // The bytes sent are the job's own stored copy of the checked picture.
    const stored = await stack.runtime.media.read(input!.storageKey);
    expect(uploadsSeen[0]!.data.equals(stored)).toBe(true);
    const order = comfy.fake.received.requests.map((r) => r.path);
    expect(order.indexOf('/upload/image')).toBeLessThan(order.indexOf('/prompt'));

    const prompt = comfy.fake.received.prompts.at(-1)!.body.prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    expect(prompt['10']).toMatchObject({ class_type: 'LoadImage', inputs: { image: name } });
    expect(prompt['3']!.inputs).toMatchObject({ denoise: 0.3, seed: 5, steps: 3 });
    expect(prompt['11']!.inputs).toMatchObject({ width: 512, height: 768 });
  });

  test('a prompt naming a picture the server does not have is refused by its validation (LoadImage checks the file)', async () => {
    const response = await fetch(`${comfy.fake.url}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: { '1': { class_type: 'LoadImage', inputs: { image: 'missing.png' } }, '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } } }),
    });
    const body = (await response.json()) as { node_errors: Record<string, { errors: Array<{ type: string; details: string }> }> };
    expect(response.status).toBe(400);
    expect(body.node_errors['1']!.errors[0]).toMatchObject({ type: 'custom_validation_failed', details: 'image - Invalid image file: missing.png' });
  });
});
