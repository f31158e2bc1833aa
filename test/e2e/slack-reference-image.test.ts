import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assets, uploads } from '../../src/db/schema.js';
import type { StoredMessage } from '../fakes/slack/index.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

const CHANNEL = 'C0REFIMAGE';
const AIKO = 'U0AIKO0001';
const MOD = 'U0OWNER0R1';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack({
    fake: { teamId: 'T0REFIMAGE', users: [{ id: AIKO, name: 'aiko' }, { id: MOD, name: 'owner', is_owner: true, is_admin: true }], channels: [{ id: CHANNEL, name: 'studio' }] },
    env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '100' },
  });
});
afterAll(async () => {
  await s?.close();
  expect(s?.fake.internalErrors ?? []).toEqual([]);
});

const blockText = (m: StoredMessage) => JSON.stringify(m.blocks ?? []);
const jobMessage = (since: number) => s.fake.waitFor(() => s.fake.messages(CHANNEL).slice(since).find((m) => !m.thread_ts && m.text.startsWith('Queued')));

async function openModal() {
  await s.driver.slashCommand({ text: '', userId: AIKO, channelId: CHANNEL });
  return s.fake.waitFor(() => s.fake.views.find((v) => v.view.callback_id === 'generate_modal' && !v.closed));
}

describe('the /generate form with a reference picture', () => {
  test('the file is read with files.info, downloaded with the bot token, checked, and kept as the job input', async () => {
    const picture = await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 255, g: 0, b: 255 } } }).jpeg().toBuffer();
    const fileId = s.fake.addUserFile('garden.jpg', picture);
    const before = s.fake.messages(CHANNEL).length;
    const modal = await openModal();
    const answer = await s.driver.viewSubmission({
      userId: AIKO,
      viewId: modal.id,
      values: {
        prompt: { value: { type: 'plain_text_input', value: 'a girl with silver hair' } },
        image: { value: { type: 'file_input', files: [{ id: fileId, name: 'garden.jpg' }] } },
        strength: { value: { type: 'plain_text_input', value: '0.8' } },
      },
    });
    expect(answer.status).toBe(200);
    const message = await jobMessage(before);
    const jobId = /"value":"([0-9a-f-]{36})"/.exec(blockText(message))?.[1] ?? /job `([0-9a-f-]{36})`/.exec(blockText(message))?.[1];
    expect(s.fake.callsTo('files.info').map((c) => c.args.file)).toContain(fileId);
    const db = s.stack.runtime.database.db;
    const [input] = await db.select().from(assets).where(and(eq(assets.jobId, jobId!), eq(assets.variant, 'input')));
    expect(input).toMatchObject({ mime: 'image/jpeg', width: 120, height: 90 });
    // The fake serves url_private only to a valid token: the upload row proves the bot token was sent.
    const [upload] = await db.select().from(uploads).where(eq(uploads.id, input!.sourceUploadId!));
    expect(upload).toMatchObject({ mime: 'image/jpeg', width: 120, height: 90 });
    expect((await s.stack.runtime.records.getJob(jobId!))!.referenceStrength).toBeCloseTo(0.8);
  });

  test('a strength without a picture is shown next to the field; a GIF is refused privately, nothing stored', async () => {
    const modal = await openModal();
    const bad = await s.driver.viewSubmission({
      userId: AIKO,
      viewId: modal.id,
      values: { prompt: { value: { type: 'plain_text_input', value: 'a fox' } }, strength: { value: { type: 'plain_text_input', value: '0.5' } } },
    });
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { strength: 'Add a reference picture, or leave this empty.' } });

    const db = s.stack.runtime.database.db;
    const stored = (await db.select().from(uploads)).length;
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).gif().toBuffer();
    const fileId = s.fake.addUserFile('cat.gif', gif);
    const modal2 = await openModal();
    await s.driver.viewSubmission({
      userId: AIKO,
      viewId: modal2.id,
      values: { prompt: { value: { type: 'plain_text_input', value: 'a cat' } }, image: { value: { type: 'file_input', files: [{ id: fileId }] } } },
    });
    const refusal = await s.fake.waitFor(() => s.fake.ephemerals(CHANNEL, AIKO).find((m) => m.text.includes('PNG, JPEG and WebP')));
    expect(refusal.text).toContain('image: only PNG, JPEG and WebP images are accepted');
    expect((await db.select().from(uploads)).length).toBe(stored);
  });
});

describe('/character picture: a moderator adds reference pictures through a form', () => {
  const pictureModal = (since: number) => s.fake.waitFor(() => s.fake.views.slice(since).find((v) => v.view.callback_id === 'character_picture_modal' && !v.closed));

  async function command(userId: string, name: string, text: string): Promise<string> {
    const res = await s.driver.slashCommand({ command: name, text, userId, channelId: CHANNEL });
    expect(res.status).toBe(200);
    const post = await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === res.responseUrl)?.posts[0]);
    return String((post.body as { text?: unknown }).text ?? '');
  }

  async function submitPictures(userId: string, fileIds: string[]) {
    const since = s.fake.views.length;
    const res = await s.driver.slashCommand({ command: '/character', text: 'picture Mio', userId, channelId: CHANNEL });
    expect(res.status).toBe(200);
    const modal = await pictureModal(since);
    return s.driver.viewSubmission({ userId, viewId: modal.id, values: { images: { value: { type: 'file_input', files: fileIds.map((id) => ({ id })) } } } });
  }

  test('the files are fetched, checked and attached in order; /generate with the character sends them; a member is refused before any file is fetched', async () => {
    expect(await command(MOD, '/character', 'create Mio --prompt girl, short blue hair')).toMatch(/^Created:/);
    const db = s.stack.runtime.database.db;
    const uploadsBefore = (await db.select().from(uploads)).length;

    // A member: the form opens (the trigger allows no look-up first), its answer is refused unfetched.
    const theirs = s.fake.addUserFile('mine.png', await sharp({ create: { width: 32, height: 32, channels: 3, background: '#0f0' } }).png().toBuffer());
    expect((await submitPictures(AIKO, [theirs])).status).toBe(200);
    const refusal = await s.fake.waitFor(() => s.fake.ephemerals(CHANNEL, AIKO).find((m) => m.text.includes('moderator')));
    expect(refusal.text).not.toMatch(/Added/);
    expect(s.fake.callsTo('files.info').map((c) => c.args.file)).not.toContain(theirs);
    expect((await db.select().from(uploads)).length).toBe(uploadsBefore);

    // The form refuses an empty answer next to its field.
    const since = s.fake.views.length;
    await s.driver.slashCommand({ command: '/character', text: 'picture Mio', userId: MOD, channelId: CHANNEL });
    const empty = await s.driver.viewSubmission({ userId: MOD, viewId: (await pictureModal(since)).id, values: { images: { value: { type: 'file_input', files: [] } } } });
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { images: 'Add at least one picture.' } });

    const red = s.fake.addUserFile('front.png', await sharp({ create: { width: 64, height: 48, channels: 3, background: '#f00' } }).png().toBuffer());
    const blue = s.fake.addUserFile('side.jpg', await sharp({ create: { width: 40, height: 60, channels: 3, background: '#00f' } }).jpeg().toBuffer());
    expect((await submitPictures(MOD, [red, blue])).status).toBe(200);
    const added = await s.fake.waitFor(() => s.fake.ephemerals(CHANNEL, MOD).find((m) => m.text.startsWith('Added')));
    expect(added.text).toBe('Added 2 reference pictures to *Mio* (2 now); `/generate --character Mio` sends them to the image server.');
    expect(s.fake.callsTo('files.info').map((c) => c.args.file)).toEqual(expect.arrayContaining([red, blue]));

    // A GIF is refused by the same intake, privately, and nothing is attached.
    const gif = s.fake.addUserFile('anim.gif', await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).gif().toBuffer());
    await submitPictures(MOD, [gif]);
    const gifRefusal = await s.fake.waitFor(() => s.fake.ephemerals(CHANNEL, MOD).find((m) => m.text.includes('PNG, JPEG and WebP')));
    expect(gifRefusal.text).toContain('images: only PNG, JPEG and WebP images are accepted');

    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: 'a walk by the sea --character Mio', userId: AIKO, channelId: CHANNEL });
    const message = await jobMessage(before);
    const jobId = /"value":"([0-9a-f-]{36})"/.exec(blockText(message))?.[1] ?? /job `([0-9a-f-]{36})`/.exec(blockText(message))?.[1];
    const inputs = await s.stack.runtime.records.listInputs(jobId!);
    expect(inputs.map((i) => [i.width, i.height, i.characterId !== null])).toEqual([[64, 48, true], [40, 60, true]]);
  });
});

describe('a picture shared in the thread of a job post with `generate <prompt>`', () => {
  test('Slack\'s file_share message event: the file is read like the form\'s, the job starts from it; other thread talk is left alone; a GIF is refused privately', async () => {
    // A job post to reply under: the bot's own message in the channel.
    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: 'a quiet harbour at dawn', userId: AIKO, channelId: CHANNEL });
    const parent = await jobMessage(before);
    const db = s.stack.runtime.database.db;
    const uploadsBefore = (await db.select().from(uploads)).length;
    const jobsBefore = (await db.select().from(assets)).filter((a) => a.variant === 'input').length;

    // Talk in the thread with a picture but no `generate`: nothing is fetched, nothing starts.
    const chat = s.fake.addUserFile('holiday.png', await sharp({ create: { width: 16, height: 16, channels: 3, background: '#888' } }).png().toBuffer());
    expect((await s.driver.fileShareMessage({ userId: AIKO, channelId: CHANNEL, threadTs: parent.ts, text: 'look at this', fileIds: [chat] })).status).toBe(200);

    const picture = await sharp({ create: { width: 100, height: 80, channels: 3, background: { r: 255, g: 0, b: 255 } } }).png().toBuffer();
    const fileId = s.fake.addUserFile('sketch.png', picture);
    const since = s.fake.messages(CHANNEL).length;
    const answer = await s.driver.fileShareMessage({ userId: AIKO, channelId: CHANNEL, threadTs: parent.ts, text: 'generate the same harbour at night --seed 77', fileIds: [fileId] });
    expect(answer.status).toBe(200);
    const message = await s.fake.waitFor(() => s.fake.messages(CHANNEL).slice(since).find((m) => !m.thread_ts && m.user === s.fake.identity.botUserId && m.text.startsWith('Queued')));
    const jobId = /"value":"([0-9a-f-]{36})"/.exec(blockText(message))?.[1] ?? /job `([0-9a-f-]{36})`/.exec(blockText(message))?.[1];
    const job = await s.stack.runtime.records.getJob(jobId!);
    expect(job).toMatchObject({ seed: 77 });
    expect((job!.request as { prompt?: string }).prompt).toBe('the same harbour at night');
    const inputs = await s.stack.runtime.records.listInputs(jobId!);
    expect(inputs.map((i) => [i.mime, i.width, i.height, i.characterId])).toEqual([['image/png', 100, 80, null]]);
    expect(job!.referenceStrength).toBeCloseTo(0.6);
    const infos = s.fake.callsTo('files.info').map((c) => c.args.file);
    expect(infos).toContain(fileId);
    expect(infos).not.toContain(chat);
    // One new upload (the shared picture); the chatty one was never stored.
    expect((await db.select().from(uploads)).length).toBe(uploadsBefore + 1);
    expect((await db.select().from(assets)).filter((a) => a.variant === 'input').length).toBe(jobsBefore + 1);

    const gif = s.fake.addUserFile('dance.gif', await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).gif().toBuffer());
    await s.driver.fileShareMessage({ userId: AIKO, channelId: CHANNEL, threadTs: parent.ts, text: 'generate a dance', fileIds: [gif] });
    const refusal = await s.fake.waitFor(() => s.fake.ephemerals(CHANNEL, AIKO).find((m) => m.thread_ts === parent.ts));
    expect(refusal.text).toContain('image: only PNG, JPEG and WebP images are accepted');
    expect(refusal.thread_ts).toBe(parent.ts);
    expect((await db.select().from(uploads)).length).toBe(uploadsBefore + 1);
  });
});
