import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { readSlackReply } from '../../src/bots/slack/reply/reply-handle.js';
import type { StoredMessage } from '../fakes/slack/index.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

const CHANNEL = 'C0STUDIO01';
const AIKO = 'U0AIKO0001';
const REN = 'U0REN00001';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack({
    fake: {
      teamId: 'T0GENERATE',
      users: [{ id: AIKO, name: 'aiko' }, { id: REN, name: 'ren' }],
      channels: [{ id: CHANNEL, name: 'studio' }],
    },
    env: { BUILTIN_STEP_DELAY_MS: '60', RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '100' },
  });
});
afterAll(async () => {
  await s?.close();
  expect(s?.fake.internalErrors ?? []).toEqual([]);
});

const blockText = (m: StoredMessage) => JSON.stringify(m.blocks ?? []);
const actionIds = (m: StoredMessage) =>
  (m.blocks ?? []).flatMap((b) => ((b as { elements?: { action_id?: string }[] }).elements ?? []).map((e) => e.action_id).filter(Boolean));

/** The bot's job message posted after `since` messages in the channel. */
async function jobMessage(since: number): Promise<StoredMessage> {
  return s.fake.waitFor(() => s.fake.messages(CHANNEL).slice(since).find((m) => !m.thread_ts && m.text.startsWith('Queued')));
}

async function finished(message: StoredMessage, timeoutMs = 15_000): Promise<StoredMessage> {
  return s.fake.waitFor(() => (actionIds(message).includes('job_reroll') ? message : undefined), timeoutMs);
}

async function jobIdOf(message: StoredMessage): Promise<string> {
  const match = /job `([0-9a-f-]{36})`/.exec(blockText(message)) ?? /"value":"([0-9a-f-]{36})"/.exec(blockText(message));
  if (!match?.[1]) throw new Error('no job id in the message');
  return match[1];
}

describe('/generate in Slack', () => {
  test('acks in time, posts "queued", edits with progress, then uploads the image into the thread', async () => {
    const before = s.fake.messages(CHANNEL).length;
    const res = await s.driver.slashCommand({ text: 'a girl with pink hair by the sea --ar 2:3 --seed 42', userId: AIKO, channelId: CHANNEL });
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3000);
    const message = await jobMessage(before);
    expect(message.history[0]?.via).toBe('chat.postMessage');
    expect(message.history[0]?.text).toMatch(/^Queued — 1st in line/);
    expect(actionIds(message)).toEqual(['job_cancel']);

    await finished(message);
    const progress = message.history.filter((v) => /step \d+ of \d+/.test(JSON.stringify(v.blocks)));
    expect(new Set(progress.map((v) => JSON.stringify(v.blocks))).size).toBeGreaterThanOrEqual(2);
    // No edit repeats the one before it.
    for (let i = 1; i < message.history.length; i++) expect(JSON.stringify(message.history[i]!.blocks)).not.toBe(JSON.stringify(message.history[i - 1]!.blocks));

    const final = blockText(message);
    expect(final).toContain('*Seed*\\n42');
    expect(final).toContain('512×768');
    expect(final).toContain('*Backend*');
    expect(final).toMatch(new RegExp(`<${s.stack.baseUrl}/gallery/[0-9a-f-]{36}/p/general\\?pass=v1\\.[^|>]+\\|general>`));
    expect(actionIds(message)).toEqual(['job_vary_0', 'job_upscale_0', 'job_reroll', 'job_delete']);

    const upload = await s.fake.waitFor(() => s.fake.thread(CHANNEL, message.ts).find((m) => m.files?.length));
    const file = s.fake.files.find((f) => f.id === upload.files?.[0]?.id);
    const meta = await sharp(file?.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 768]);

    const jobId = await jobIdOf(message);
    // The record is marked right after the upload lands; poll the database for that last write.
    await vi.waitFor(async () => {
      const job = await s.stack.runtime.records.getJob(jobId);
      expect(readSlackReply(job?.reply)).toMatchObject({ channel: CHANNEL, ts: message.ts, teamId: 'T0GENERATE', landed: true });
    });
  });

  test('an identical request (same seed) is answered from the stored files: one finished post, its image in the thread, no render', async () => {
    const rendered = s.stack.runtime.records;
    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: 'a girl with pink hair by the sea --ar 2:3 --seed 42', userId: REN, channelId: CHANNEL });
    const message = await s.fake.waitFor(() => s.fake.messages(CHANNEL).slice(before).find((m) => !m.thread_ts && actionIds(m).includes('job_reroll')));
    // Posted once, already finished: never "Queued", never a progress step.
    expect(message.history.every((v) => !/^Queued/.test(v.text) && !/step \d+ of \d+/.test(JSON.stringify(v.blocks)))).toBe(true);
    expect(blockText(message)).toContain('*Seed*\\n42');
    const upload = await s.fake.waitFor(() => s.fake.thread(CHANNEL, message.ts).find((m) => m.files?.length));
    const meta = await sharp(s.fake.files.find((f) => f.id === upload.files?.[0]?.id)?.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 768]);
    const job = await rendered.getJob(await jobIdOf(message));
    expect(job?.reusedFrom).toBeTruthy();
    expect(await rendered.listAssets(job!.id)).toEqual(expect.arrayContaining([expect.objectContaining({ storageKey: expect.stringContaining(job!.reusedFrom!) })]));
  });

  test('a prompt with <!channel>, <!here>, @everyone and mentions pings nobody', async () => {
    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: 'hi <!channel> <!here> <!everyone> @everyone <@U0REN00001> <!subteam^S0ARTISTS> & co', userId: AIKO, channelId: CHANNEL });
    const message = await jobMessage(before);
    const shown = message.text + blockText(message);
    expect(shown).toContain('&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;');
    expect(shown).toContain('&lt;@U0REN00001&gt; &lt;!subteam^S0ARTISTS&gt; &amp; co');
    expect(shown).toContain('@\u2060everyone');
    expect(shown).not.toMatch(/<!(channel|here|everyone)>|<@U|<!subteam/);
    await finished(message);
    for (const m of s.fake.messages(CHANNEL)) for (const v of m.history) expect(v.text + JSON.stringify(v.blocks ?? [])).not.toMatch(/<!(channel|here|everyone)|<@U0REN|<!subteam/);
  });

  test('flag mistakes are explained privately and nothing is queued', async () => {
    const before = s.fake.messages(CHANNEL).length;
    const res = await s.driver.slashCommand({ text: 'a cat --ar 16:9', userId: AIKO, channelId: CHANNEL });
    await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === res.responseUrl)?.posts[0]);
    const post = s.fake.responseUrls.find((r) => r.url === res.responseUrl)!.posts[0]!;
    expect(post.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(post.body.text)).toMatch(/--ar must be one of 2:3, 1:1, 3:2/);
    expect(s.fake.messages(CHANNEL).length).toBe(before);
  });

  test('no text opens the modal; its submission queues the job', async () => {
    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: '', userId: AIKO, channelId: CHANNEL });
    const modal = await s.fake.waitFor(() => s.fake.views.find((v) => v.view.callback_id === 'generate_modal' && !v.closed));
    const bad = await s.driver.viewSubmission({ userId: AIKO, viewId: modal.id, values: { prompt: { value: { type: 'plain_text_input', value: 'a fox' } }, seed: { value: { type: 'plain_text_input', value: 'abc' } } } });
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { seed: expect.stringMatching(/whole number/) } });
    const good = await s.driver.viewSubmission({
      userId: AIKO, viewId: modal.id,
      values: { prompt: { value: { type: 'plain_text_input', value: 'a fox in snow' } }, ar: { value: { type: 'static_select', selected_option: { value: '3:2' } } } },
    });
    expect(good.status).toBe(200);
    const message = await jobMessage(before);
    expect(message.text).toContain('a fox in snow');
    await finished(message);
    expect(blockText(message)).toContain('768×512');
  });

  test('Re-roll queues the same prompt again; Cancel stops a job', async () => {
    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: 'a lighthouse at dawn', userId: AIKO, channelId: CHANNEL });
    const first = await finished(await jobMessage(before));
    const afterFirst = s.fake.messages(CHANNEL).length;
    const click = await s.driver.blockAction({ userId: AIKO, channelId: CHANNEL, messageTs: first.ts, actionId: 'job_reroll' });
    expect(click.status).toBe(200);
    const second = await jobMessage(afterFirst);
    expect(second.text).toContain('a lighthouse at dawn');
    expect(await jobIdOf(second)).not.toBe(await jobIdOf(first));

    const cancel = await s.driver.blockAction({ userId: AIKO, channelId: CHANNEL, messageTs: second.ts, actionId: 'job_cancel' });
    expect(cancel.status).toBe(200);
    await s.fake.waitFor(() => second.history.some((v) => v.text.startsWith('Cancelled')));
    expect(actionIds(second)).toEqual(['job_reroll']);
    const job = await s.stack.runtime.records.getJob(await jobIdOf(second));
    expect(job?.status).toBe('cancelled');
  });

  test('V1 and U1 on the finished message: each queues a child job with its own message in the channel', async () => {
    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: 'a koi in a pond', userId: AIKO, channelId: CHANNEL });
    const first = await finished(await jobMessage(before));
    const parentId = await jobIdOf(first);
    expect(actionIds(first)).toEqual(['job_vary_0', 'job_upscale_0', 'job_reroll', 'job_delete']);
    expect(blockText(first)).toContain('"text":"V1"');

    const afterFirst = s.fake.messages(CHANNEL).length;
    const vary = await s.driver.blockAction({ userId: REN, channelId: CHANNEL, messageTs: first.ts, actionId: 'job_vary_0' });
    expect(vary.status).toBe(200);
    const varied = await finished(await jobMessage(afterFirst));
    expect(varied.text).toContain('a koi in a pond');
    const variation = await s.stack.runtime.records.getJob(await jobIdOf(varied));
    expect(variation).toMatchObject({ parent: { jobId: parentId, output: 0, relation: 'variation' } });

    const afterVary = s.fake.messages(CHANNEL).length;
    const up = await s.driver.blockAction({ userId: AIKO, channelId: CHANNEL, messageTs: first.ts, actionId: 'job_upscale_0' });
    expect(up.status).toBe(200);
    const upscaled = await finished(await jobMessage(afterVary));
    expect(blockText(upscaled)).toContain('1024×1024');
    const upscale = await s.stack.runtime.records.getJob(await jobIdOf(upscaled));
    expect(upscale).toMatchObject({ parent: { jobId: parentId, output: 0, relation: 'upscale' }, width: 1024, height: 1024 });
  });

  test('Delete works for the author and is refused to another creator', async () => {
    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: 'a paper crane', userId: AIKO, channelId: CHANNEL });
    const message = await finished(await jobMessage(before));
    const jobId = await jobIdOf(message);
    const edits = message.history.length;

    const refused = await s.driver.blockAction({ userId: REN, channelId: CHANNEL, messageTs: message.ts, actionId: 'job_delete' });
    const refusal = await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === refused.responseUrl)?.posts[0]);
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refusal.body.text)).toMatch(/only the author or a moderator/);
    expect(await s.stack.runtime.records.listAssets(jobId)).not.toHaveLength(0);

    await s.driver.blockAction({ userId: AIKO, channelId: CHANNEL, messageTs: message.ts, actionId: 'job_delete' });
    await s.fake.waitFor(() => message.history.length > edits && !actionIds(message).includes('job_delete'));
    expect(blockText(message)).toContain('the image was deleted');
    expect(await s.stack.runtime.records.listAssets(jobId)).toHaveLength(0);
  });

  test('/jobs lists your jobs and /cancel refuses a job that has ended', async () => {
    const list = await s.driver.slashCommand({ command: '/jobs', text: '', userId: AIKO, channelId: CHANNEL });
    const listed = await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === list.responseUrl)?.posts[0]);
    expect(String(listed.body.text)).toContain('*Your recent jobs*');
    const id = /`([0-9a-f-]{36})` \*completed\*/.exec(String(listed.body.text))?.[1];
    expect(id).toBeDefined();
    const cancel = await s.driver.slashCommand({ command: '/cancel', text: id!, userId: AIKO, channelId: CHANNEL });
    const answer = await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === cancel.responseUrl)?.posts[0]);
    expect(String(answer.body.text)).toMatch(/already finished/);
  });

  test('a restart of the Slack part mid-job: the message keeps updating and the image lands', async () => {
    const before = s.fake.messages(CHANNEL).length;
    await s.driver.slashCommand({ text: 'a long train through the mountains', userId: AIKO, channelId: CHANNEL });
    const message = await jobMessage(before);
    await s.fake.waitFor(() => message.history.some((v) => /step \d+ of/.test(JSON.stringify(v.blocks))));
    await s.restartSlack();
    const restartedAt = Date.now();
    await finished(message);
    expect(message.history.filter((v) => v.at >= restartedAt).length).toBeGreaterThanOrEqual(1);
    const upload = await s.fake.waitFor(() => s.fake.thread(CHANNEL, message.ts).find((m) => m.files?.length));
    expect(upload.thread_ts).toBe(message.ts);
    expect(s.fake.thread(CHANNEL, message.ts).filter((m) => m.files?.length)).toHaveLength(1);
  });

  test('a rate-limited progress edit is retried after Retry-After and the reply still completes', async () => {
    const before = s.fake.messages(CHANNEL).length;
    const limitedBefore = s.fake.callsTo('chat.update').filter((c) => c.status === 429).length;
    s.fake.rateLimitNext('chat.update', 1);
    await s.driver.slashCommand({ text: 'a windmill in the rain', userId: AIKO, channelId: CHANNEL });
    const message = await finished(await jobMessage(before));
    expect(s.fake.callsTo('chat.update').filter((c) => c.status === 429).length).toBe(limitedBefore + 1);
    expect(blockText(message)).toContain('*Seed*');
    await s.fake.waitFor(() => s.fake.thread(CHANNEL, message.ts).find((m) => m.files?.length));
  });
});
