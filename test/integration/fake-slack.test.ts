/**
 * Self-test of the fake Slack, driven by the real Bolt App and WebClient over sockets.
 * If Bolt or the WebClient changes what it sends, these tests are where we find out.
 */
import type { AddressInfo } from 'node:net';
import { App, LogLevel, RespondError } from '@slack/bolt';
import type { SlashCommand, types } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { WebAPIPlatformError } from '@slack/web-api';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackDriver, startFakeSlack } from '../fakes/slack/index.js';
import type { FakeSlack, FakeSlackOptions, SlackDriver } from '../fakes/slack/index.js';

const SECRET = 'fake-signing-secret';
const CHANNEL = 'C0GENERATE';
const ALICE = 'U0ALICE001';
const GUEST = 'U0GUEST001';
const SEED: FakeSlackOptions = {
  teamId: 'T0ANIME001',
  botToken: 'xoxb-anime-production',
  users: [
    { id: ALICE, name: 'alice', real_name: 'Alice Admin', is_admin: true },
    { id: GUEST, name: 'gus', is_restricted: true },
  ],
  usergroups: { S0ARTISTS1: [ALICE], S0OLDGROUP: { users: [GUEST], disabled: true } },
  channels: [{ id: CHANNEL, name: 'generate' }],
};
const section = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Harness {
  fake: FakeSlack;
  app: App;
  driver: SlackDriver;
  client(options?: ConstructorParameters<typeof WebClient>[1], token?: string): WebClient;
}

async function harness(register: (app: App) => void = () => {}, options: FakeSlackOptions = {}): Promise<Harness> {
  const fake = await startFakeSlack({ ...SEED, ...options });
  const app = new App({
    token: fake.identity.botToken,
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  register(app);
  const server = await app.start(0);
  const { port } = server.address() as AddressInfo;
  cleanups.push(async () => {
    await app.stop();
    await fake.close();
    expect(fake.internalErrors).toEqual([]);
  });
  const driver = createSlackDriver({ targetUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, fake });
  const client: Harness['client'] = (clientOptions = {}, token = fake.identity.botToken) =>
    new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR, ...clientOptions });
  return { fake, app, driver, client };
}

/** The Slack error code of a rejected Web API call. */
async function slackError(call: Promise<unknown>): Promise<string | undefined> {
  const error = (await call.then(() => undefined, (e: unknown) => e)) as WebAPIPlatformError | undefined;
  return error?.data?.error;
}

describe('fake Slack with the real Bolt App', () => {
  it('answers the auth.test Bolt makes at construction with the ids it needs', async () => {
    const { fake } = await harness();
    const call = await fake.waitFor(() => fake.callsTo('auth.test')[0]);
    expect(call.token).toBe(fake.identity.botToken);
    expect(call.response).toMatchObject({ ok: true, user_id: fake.identity.botUserId, bot_id: fake.identity.botId, team_id: 'T0ANIME001' });
  });

  it('delivers a signed slash command to app.command and ack() answers 200 in time', async () => {
    const seen: SlashCommand[] = [];
    const { driver } = await harness((app) => {
      app.command('/generate', async ({ command, ack }) => {
        seen.push(command);
        await ack();
      });
    });
    const res = await driver.slashCommand({ text: 'a cat in the rain', userId: ALICE, channelId: CHANNEL });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.elapsedMs).toBeLessThan(3000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      command: '/generate', text: 'a cat in the rain', user_id: ALICE, channel_id: CHANNEL, team_id: 'T0ANIME001',
      trigger_id: res.triggerId, response_url: res.responseUrl, is_enterprise_install: 'false',
    });
  });

  it('gets 401 for a forged signature or a stale timestamp, and the handler never runs', async () => {
    let calls = 0;
    const { driver } = await harness((app) => {
      app.command('/generate', async ({ ack }) => {
        calls += 1;
        await ack();
      });
    });
    const forged = await driver.slashCommand({ userId: ALICE, channelId: CHANNEL }, { forgeSignature: true });
    const stale = await driver.slashCommand({ userId: ALICE, channelId: CHANNEL }, { staleTimestamp: true });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(calls).toBe(0);
  });

  it('echoes the url_verification challenge', async () => {
    const { driver } = await harness();
    const res = await driver.urlVerification('challenge-123');
    expect(res).toMatchObject({ status: 200, json: { challenge: 'challenge-123' } });
  });

  it('stores chat.postMessage then chat.update with the history users saw', async () => {
    const { fake, driver } = await harness((app) => {
      app.command('/generate', async ({ command, ack, client }) => {
        await ack();
        const posted = await client.chat.postMessage({ channel: command.channel_id, text: 'Queued', blocks: [section('*Queued*')] });
        await client.chat.update({ channel: command.channel_id, ts: posted.ts as string, text: 'Rendering 50%', blocks: [section('50%')] });
        await client.chat.postMessage({ channel: command.channel_id, thread_ts: posted.ts as string, text: 'seed 42' });
      });
    });
    await driver.slashCommand({ userId: ALICE, channelId: CHANNEL });
    const reply = await fake.waitFor(() => fake.messages(CHANNEL).find((m) => m.thread_ts !== undefined));
    const [first] = fake.messages(CHANNEL);
    expect(first?.history.map((v) => [v.via, v.text])).toEqual([['chat.postMessage', 'Queued'], ['chat.update', 'Rendering 50%']]);
    expect(first?.history[0]?.blocks).toEqual([section('*Queued*')]);
    expect(fake.thread(CHANNEL, first?.ts ?? '').map((m) => m.text)).toEqual(['Rendering 50%', 'seed 42']);
    expect(reply.ts > (first?.ts ?? '')).toBe(true);
  });

  it('answers platform errors the way Slack does (HTTP 200, ok:false)', async () => {
    const { client } = await harness();
    const bot = client();
    expect(await slackError(bot.chat.postMessage({ channel: 'C0NOWHERE1', text: 'x' }))).toBe('channel_not_found');
    expect(await slackError(bot.chat.postMessage({ channel: CHANNEL, text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    expect(await slackError(bot.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [section('y'.repeat(3001))] }))).toBe('invalid_blocks');
    expect(await slackError(bot.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [{ type: 'bogus' }] }))).toBe('invalid_blocks');
    expect(await slackError(bot.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'x' }))).toBe('message_not_found');
    expect(await slackError(client({}, 'xoxb-wrong').auth.test())).toBe('invalid_auth');
    expect(await slackError(client({}, '').apiCall('auth.test'))).toBe('not_authed');
    const buttons = { type: 'actions', elements: [{ type: 'button', action_id: 'a'.repeat(256), text: { type: 'plain_text', text: 'Go' } }] };
    const error = (await bot.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [buttons] }).catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(error.data.response_metadata?.messages?.[0]).toMatch(/less than 256 characters \[json-pointer:\/blocks\/0\/elements\/0\/action_id\]/);
  });

  it('runs all three files.uploadV2 steps and keeps the PNG bytes', async () => {
    const { fake, app, client } = await harness();
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#ff8800' } }).png().toBuffer();
    const parent = await app.client.chat.postMessage({ channel: CHANNEL, text: 'Rendering' });
    const result = await app.client.filesUploadV2({
      channel_id: CHANNEL, thread_ts: parent.ts as string, file: png, filename: 'frame.png', title: 'Frame 1', initial_comment: 'Done',
    });
    expect(fake.calls.map((c) => c.method).filter((m) => m.startsWith('files.'))).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal']);
    const [file] = fake.files;
    expect(file).toMatchObject({ state: 'completed', length: png.length, uploadPart: { name: 'body', filename: 'Untitled' }, uploadToken: fake.identity.botToken });
    const meta = await sharp(file?.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 48]);
    expect(result.files[0]?.files?.[0]).toMatchObject({ id: file?.id, title: 'Frame 1', mimetype: 'image/png', size: png.length });
    const shared = fake.thread(CHANNEL, parent.ts as string).find((m) => m.files);
    expect(shared).toMatchObject({ text: 'Done', thread_ts: parent.ts, files: [{ id: file?.id }] });
    const download = await fetch(file?.object?.url_private ?? '', { headers: { authorization: `Bearer ${fake.identity.botToken}` } });
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);

    const bot = client();
    expect(await slackError(bot.apiCall('files.getUploadURLExternal', { filename: 'a.png' }))).toBe('invalid_arguments');
    expect(await slackError(bot.files.completeUploadExternal({ files: [{ id: 'F0UNKNOWN1' }] }))).toBe('file_not_found');
    const reserved = await bot.files.getUploadURLExternal({ filename: 'b.png', length: 10 });
    expect(await slackError(bot.files.completeUploadExternal({ files: [{ id: reserved.file_id as string }] }))).toBe('file_not_uploaded');
  });

  it('answers users.info and usergroups.users.list from the seed', async () => {
    const { client } = await harness();
    const bot = client();
    const alice = await bot.users.info({ user: ALICE });
    expect(alice.user).toMatchObject({ id: ALICE, team_id: 'T0ANIME001', is_admin: true, is_owner: false, is_restricted: false, deleted: false });
    expect((await bot.users.info({ user: GUEST })).user?.is_restricted).toBe(true);
    expect(await slackError(bot.users.info({ user: 'U0NOBODY01' }))).toBe('user_not_found');
    expect((await bot.usergroups.users.list({ usergroup: 'S0ARTISTS1' })).users).toEqual([ALICE]);
    expect(await slackError(bot.usergroups.users.list({ usergroup: 'S0NOPE0001' }))).toBe('no_such_subteam');
    expect((await bot.usergroups.users.list({ usergroup: 'S0OLDGROUP', include_disabled: true })).users).toEqual([GUEST]);
    expect((await bot.usergroups.list()).usergroups?.map((g) => g.id)).toEqual(['S0ARTISTS1']);
  });

  it('turns complete() and fail() of app.function into functions.complete* with the execution token', async () => {
    const { fake, driver, client } = await harness((app) => {
      app.function('generate_image', async ({ inputs, complete }) => {
        await complete({ outputs: { image_url: `https://gallery.invalid/${String(inputs.prompt)}` } });
      });
      app.function('generate_broken', async ({ fail }) => {
        await fail({ error: 'backend unavailable' });
      });
    });
    const ok = await driver.functionExecuted({ callback_id: 'generate_image', inputs: { prompt: 'cat' } });
    const bad = await driver.functionExecuted({ callback_id: 'generate_broken', inputs: {} });
    expect([ok.status, bad.status]).toEqual([200, 200]);
    await fake.waitFor(() => fake.functionCompletions.length === 2);
    const byId = (id: string) => fake.functionCompletions.find((c) => c.function_execution_id === id);
    expect(byId(ok.execution.function_execution_id)).toMatchObject({
      method: 'functions.completeSuccess', token: ok.execution.bot_access_token, outputs: { image_url: 'https://gallery.invalid/cat' },
    });
    expect(byId(bad.execution.function_execution_id)).toMatchObject({
      method: 'functions.completeError', token: bad.execution.bot_access_token, error: 'backend unavailable',
    });
    // Completing twice, or with the app's bot token instead of the workflow token, is refused.
    const again = client({}, ok.execution.bot_access_token).functions.completeSuccess({ function_execution_id: ok.execution.function_execution_id, outputs: {} });
    expect(await slackError(again)).toBe('execution_not_in_running_state');
    const running = fake.startFunctionExecution('generate_image', {});
    const withBotToken = client().functions.completeSuccess({ function_execution_id: running.function_execution_id, outputs: {} });
    expect(await slackError(withBotToken)).toBe('access_denied');
  });

  it('answers an injected 429 with Retry-After; the WebClient waits, and retries only if p-retry allows', async () => {
    const { fake, app, client } = await harness();
    const posted = await app.client.chat.postMessage({ channel: CHANNEL, text: 'Queued' });
    const ts = posted.ts as string;

    // retries: 0 -> the client honours Retry-After, then gives up: the 429 retry goes through p-retry.
    fake.rateLimitNext('chat.update', 1);
    let started = performance.now();
    await expect(client().chat.update({ channel: CHANNEL, ts, text: '10%' })).rejects.toThrow(/rate limit was exceeded/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);

    // One p-retry retry -> the same call lands after the pause.
    fake.rateLimitNext('chat.update', 1);
    started = performance.now();
    await client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } }).chat.update({ channel: CHANNEL, ts, text: '20%' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.callsTo('chat.update').map((c) => c.status)).toEqual([429, 429, 200]);
    expect(fake.callsTo('chat.update')[0]?.response).toEqual({ ok: false, error: 'ratelimited' });
    expect(fake.message(CHANNEL, ts)?.history.map((v) => v.text)).toEqual(['Queued', '20%']);

    // rejectRateLimitedCalls -> an immediate WebAPIRateLimitedError carrying retryAfter.
    fake.rateLimitNext('chat.update', 7);
    const error = await client({ rejectRateLimitedCalls: true }).chat.update({ channel: CHANNEL, ts, text: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  it('lets a response_url be used 5 times, then refuses', async () => {
    const outcomes: (string | number)[] = [];
    let handlerDone: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      handlerDone = resolve;
    });
    const { fake, driver } = await harness((app) => {
      app.command('/generate', async ({ ack, respond }) => {
        await ack();
        await respond({ response_type: 'in_channel', text: 'Queued for everyone' });
        for (let i = 2; i <= 6; i += 1) {
          outcomes.push(await respond(`step ${i}`).then(() => 'ok', (e: unknown) => (e instanceof RespondError ? e.statusCode : 'other')));
        }
        handlerDone();
      });
    });
    const res = await driver.slashCommand({ userId: ALICE, channelId: CHANNEL });
    await finished;
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 404]);
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['Queued for everyone']);
    expect(fake.ephemerals(CHANNEL, ALICE).map((m) => m.text)).toEqual(['step 2', 'step 3', 'step 4', 'step 5']);
    const issued = fake.responseUrls.find((r) => r.url === res.responseUrl);
    expect(issued?.posts.at(-1)).toMatchObject({ status: 404, error: 'used_url' });
  });

  it('expires response_urls after 30 minutes and trigger_ids after 3 s (fake clock)', async () => {
    let skewMs = 0;
    const { fake, client } = await harness(() => {}, { now: () => Date.now() + skewMs });
    const url = fake.issueResponseUrl(CHANNEL, ALICE);
    const trigger = fake.issueTrigger(ALICE);
    skewMs = 3_100;
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Generate' }, blocks: [] };
    expect(await slackError(client().views.open({ trigger_id: trigger.trigger_id, view }))).toBe('expired_trigger_id');
    skewMs = 30 * 60_000 + 1;
    const late = await fetch(url.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'late' }) });
    expect(late.status).toBe(404);
    expect(await late.json()).toEqual({ ok: false, error: 'expired_url' });
  });

  it('round-trips a modal and a button click through views.open, view_submission and block_actions', async () => {
    const submitted: Record<string, unknown>[] = [];
    const { fake, driver, client } = await harness((app) => {
      app.command('/generate', async ({ ack, client: web, command }) => {
        await ack();
        await web.views.open({
          trigger_id: command.trigger_id,
          view: {
            type: 'modal', callback_id: 'generate_modal', title: { type: 'plain_text', text: 'Generate' },
            submit: { type: 'plain_text', text: 'Go' },
            blocks: [{ type: 'input', block_id: 'prompt', label: { type: 'plain_text', text: 'Prompt' }, element: { type: 'plain_text_input', action_id: 'value' } }],
          },
        });
      });
      app.view('generate_modal', async ({ ack, view, client: web, body }) => {
        await ack();
        submitted.push(view.state.values);
        await web.chat.postMessage({
          channel: CHANNEL, text: 'Done',
          blocks: [section('Done'), { type: 'actions', elements: [{ type: 'button', action_id: 'reroll', value: 'job-1', text: { type: 'plain_text', text: 'Re-roll' } }] }],
        });
        expect(body.user.id).toBe(ALICE);
      });
      app.action('reroll', async ({ ack, respond, action }) => {
        await ack();
        await respond({ replace_original: true, text: `Re-rolling ${(action as { value?: string }).value ?? ''}` });
      });
    });
    const command = await driver.slashCommand({ userId: ALICE, channelId: CHANNEL });
    const modal = await fake.waitFor(() => fake.views[0]);
    expect(await slackError(client().views.open({ trigger_id: command.triggerId, view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } })))
      .toBe('exchanged_trigger_id');
    const values = { prompt: { value: { type: 'plain_text_input', value: 'a fox' } } };
    const submission = await driver.viewSubmission({ userId: ALICE, viewId: modal.id, values });
    expect(submission.status).toBe(200);
    expect(submitted).toEqual([values]);
    expect(modal.closed).toBe(true);
    const done = await fake.waitFor(() => fake.messages(CHANNEL).find((m) => m.text === 'Done'));
    const click = await driver.blockAction({ userId: ALICE, channelId: CHANNEL, messageTs: done.ts, actionId: 'reroll' });
    expect(click.status).toBe(200);
    expect((click.payload.actions as Record<string, unknown>[])[0]).toMatchObject({ type: 'button', action_id: 'reroll', value: 'job-1' });
    await fake.waitFor(() => done.history.length === 2);
    expect(done.history.map((v) => [v.via, v.text])).toEqual([['chat.postMessage', 'Done'], ['response_url', 'Re-rolling job-1']]);
  });
});
