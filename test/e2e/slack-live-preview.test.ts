import sharp from 'sharp';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { StoredMessage } from '../fakes/slack/index.js';
import { FakeComfyUi } from '../fakes/comfyui/server.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

/**
 * Issue 14 item 4 in Slack: Bolt and WebClient against the fake Slack, ComfyUI (the fake) sending a
 * preview per step. The test's PUBLIC_URL is loopback, which real Slack could not fetch (the
 * default `auto` skips previews then: test/unit/public-url.test.ts), so SLACK_PREVIEWS is on here.
 */
const CHANNEL = 'C0PREVIEW1';
const AIKO = 'U0AIKO0001';
let comfy: FakeComfyUi;
let s: SlackStack;

const slackFake = { teamId: 'T0PREVIEWS', users: [{ id: AIKO, name: 'aiko' }], channels: [{ id: CHANNEL, name: 'studio' }] };
const env = (previews: string) => ({ COMFYUI_URL: comfy.url, PREVIEW_INTERVAL_MS: '0', SLACK_PREVIEWS: previews, RATE_LIMIT_BURST: '100' });

beforeAll(async () => {
  comfy = await FakeComfyUi.start({ previews: true });
  s = await startSlackStack({ fake: slackFake, env: env('on') });
});
afterAll(async () => {
  await s?.close();
  await comfy?.close();
});

const imageUrls = (blocks: unknown[] | undefined) => (blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'image' ? [(b as { image_url: string }).image_url] : []));

async function jobMessage(stack: SlackStack, since: number): Promise<StoredMessage> {
  return stack.fake.waitFor(() => stack.fake.messages(CHANNEL).slice(since).find((m) => !m.thread_ts && m.text.startsWith('Queued')));
}

test('a chat.update shows the preview as an image block with a signed link that serves it; the final message has none', async () => {
  comfy.holdSteps();
  const before = s.fake.messages(CHANNEL).length;
  expect((await s.driver.slashCommand({ text: 'paper lanterns over a river --seed 5', userId: AIKO, channelId: CHANNEL })).status).toBe(200);
  const message = await jobMessage(s, before);
  comfy.releaseSteps(1);
  const edit = await s.fake.waitFor(() => message.history.find((v) => v.via === 'chat.update' && imageUrls(v.blocks).length > 0), 20_000);
  const [url] = imageUrls(edit.blocks);
  expect(url).toMatch(new RegExp(`^${s.stack.baseUrl}/media/preview/[0-9a-f-]{36}/\\d+\\?exp=\\d+&sig=`));
  const response = await fetch(url!);
  expect(response.status).toBe(200);
  expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).format).toBe('webp');

  comfy.releaseAllSteps();
  await s.fake.waitFor(() => (JSON.stringify(message.blocks).includes('job_reroll') ? message : undefined), 20_000);
  expect(imageUrls(message.blocks)).toEqual([]);
  // Once the job ended the link answers 404: the preview went with the attempt.
  expect((await fetch(url!)).status).toBe(404);
});
