import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { renderReply as renderDiscord } from '../../src/bots/discord/render.js';
import { uploadResult, type FinalPostDeps } from '../../src/bots/slack/reply/final-post.js';
import type { JobMessage } from '../../src/core/job-message/model.js';
import { createLogger } from '../../src/shared/logger.js';
import { FileMediaStore } from '../../src/worker/media/file-media-store.js';
import { renderMp4 } from '../fakes/comfyui/media.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';
import { completedRecord } from '../support/job-fixtures.js';
import { fromRecord } from '../../src/core/job-message/model.js';

const CHANNEL = 'C0CLIPS001';
let root: string;
let media: FileMediaStore;
let clip: Buffer;
let fake: FakeSlack;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'clip-posting-'));
  media = new FileMediaStore(root);
  clip = await renderMp4(96, 64, 12, 3, 8);
  await media.put('general/2026-12-03/job-0.mp4', clip);
  fake = await startFakeSlack({ teamId: 'T0ANIME001', botToken: 'xoxb-clips', users: [], channels: [{ id: CHANNEL, name: 'clips' }] });
});
afterEach(async () => {
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

/** A finished video job whose one output is an MP4 with its poster thumbnail. */
function clipMessage(): JobMessage {
  const base = fromRecord(completedRecord({ kind: 'video', request: { prompt: 'petals' } }), []);
  return {
    ...base,
    outputs: [
      {
        index: 0,
        kind: 'video',
        width: 96,
        height: 64,
        original: { assetId: 'clip-asset', mime: 'video/mp4', bytes: clip.length, storageKey: 'general/2026-12-03/job-0.mp4' },
        thumbnail: { assetId: 'poster-asset', mime: 'image/webp', bytes: 900, storageKey: 'general/2026-12-03/job-0.thumb.webp' },
      },
    ],
  };
}

const links = { url: (id: string) => `http://media.test/media/${id}?sig=x` };

test('Discord attaches a small MP4 as the clip itself with its poster in the embed, and links one over the upload limit', () => {
  const context = { mode: 'interaction' as const, projectUrl: () => 'http://media.test/p/general', links };
  const small = renderDiscord(clipMessage(), { ...context, attachmentLimit: 10 << 20 });
  expect(small.files).toEqual([{ name: 'clip-1.mp4', storageKey: 'general/2026-12-03/job-0.mp4', contentType: 'video/mp4' }]);
  expect(small.body.attachments).toEqual([{ id: 0, filename: 'clip-1.mp4' }]);
  expect(small.body.embeds[0]!.image).toEqual({ url: links.url('poster-asset') });
  const large = renderDiscord(clipMessage(), { ...context, attachmentLimit: clip.length - 1 });
  expect(large.files).toEqual([]);
  expect(large.body.embeds[0]!.description).toContain(`[Clip 1](${links.url('clip-asset')})`);
  expect(large.body.embeds[0]!.image).toEqual({ url: links.url('poster-asset') });
});

test('Slack uploads a small MP4 into the thread through files.uploadV2, and posts a link for one over the limit', async () => {
  const client = new WebClient(fake.identity.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
  const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'the job reply' });
  const deps = (uploadLimit?: number): FinalPostDeps => ({
    client,
    functionClient: () => client,
    media,
    links,
    sealer: { seal: (t: string) => t, open: (t: string) => t } as unknown as FinalPostDeps['sealer'],
    projectUrl: () => 'http://media.test/p/general',
    log: createLogger({ level: 'silent', secrets: [] }),
    ...(uploadLimit === undefined ? {} : { uploadLimit }),
  });
  const reply = { platform: 'slack' as const, teamId: 'T0ANIME001', channel: CHANNEL, userId: 'U1', ts: parent.ts! };

  await uploadResult(deps(), clipMessage(), reply);
  expect(fake.files).toHaveLength(1);
  expect(fake.files[0]).toMatchObject({ state: 'completed', title: 'Clip', length: clip.length, filename: expect.stringMatching(/-0\.mp4$/) });
  expect(fake.files[0]!.bytes!.equals(clip)).toBe(true);

  await uploadResult(deps(clip.length - 1), clipMessage(), reply);
  expect(fake.files).toHaveLength(1);
  const replies = fake.thread(CHANNEL, parent.ts!).slice(1);
  expect(replies.map((m) => m.text).find((t) => t?.includes('too large'))).toContain(`<${links.url('clip-asset')}|Clip 1> (too large to upload here)`);
});
