import sharp from 'sharp';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeComfyUi } from '../fakes/comfyui/server.js';
import { ALICE, isFinal, startHarness, type Harness } from './discord-harness.js';

/** Issue 14 item 4 in Discord: real discord.js against the fake, ComfyUI (the fake) sending a preview per step the test releases. */
let comfy: FakeComfyUi;
let h: Harness;

beforeAll(async () => {
  comfy = await FakeComfyUi.start({ previews: true });
  h = await startHarness({ env: { COMFYUI_URL: comfy.url, PREVIEW_INTERVAL_MS: '0' } });
});
afterAll(async () => {
  await h?.close();
  await comfy?.close();
});

test('the progress edit carries the live preview as an uploaded embed image; the final post keeps only the result', async () => {
  comfy.holdSteps();
  const handle = h.generate(ALICE, { prompt: 'paper lanterns over a river', aspect: 'square', seed: 5 });
  comfy.releaseSteps(1);
  const withPreview = await handle.original((m) => m.attachments.some((a) => a.filename === 'preview.webp'), 20_000);
  const preview = withPreview.attachments.find((a) => a.filename === 'preview.webp')!;
  expect(withPreview.attachments).toHaveLength(1);
  expect((withPreview.embeds[0] as { image?: { url: string } }).image?.url).toBe(preview.url);
  expect(withPreview.content).toMatch(/step \d+ of \d+/);
  const bytes = Buffer.from(await (await fetch(preview.url)).arrayBuffer());
  expect((await sharp(bytes).metadata()).format).toBe('webp');
  expect(bytes.length).toBeLessThan(100 * 1024);

  comfy.releaseAllSteps();
  const final = await handle.original(isFinal, 20_000);
  expect(final.attachments.map((a) => a.filename)).toEqual(['image-1.webp']);
  expect(JSON.stringify(final.embeds)).not.toContain('preview');
  expect(JSON.stringify(final.embeds)).not.toContain('Live preview');
});
