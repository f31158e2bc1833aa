import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import {
  AttachmentBuilder,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  GatewayIntentBits,
  MessageFlags,
  Routes,
  Status,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../fakes/discord/index.js';

const GUILD = '900000000000000001';
const GENERAL = '900000000000000010';
const NSFW = '900000000000000011';
const CREATOR_ROLE = '900000000000000020';
const ALICE = '900000000000000030';
const OWNER = '900000000000000031';

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await fake?.close();
  client = undefined;
  fake = undefined;
});

async function start(options: FakeDiscordOptions = {}, intents: GatewayIntentBits[] = [GatewayIntentBits.Guilds]) {
  const f = await startFakeDiscord({
    heartbeatIntervalMs: 200,
    guilds: [
      {
        id: GUILD,
        name: 'Studio',
        ownerId: OWNER,
        roles: [{ id: CREATOR_ROLE, name: 'creator', permissions: '0', mentionable: true }],
        channels: [
          { id: GENERAL, name: 'general' },
          { id: NSFW, name: 'after-dark', nsfw: true },
        ],
        members: [{ id: ALICE, username: 'alice', roles: [CREATOR_ROLE] }],
      },
    ],
    ...options,
  });
  fake = f;
  const c = new Client({ intents, rest: { api: f.apiBase } });
  client = c;
  const ready = once(c, 'clientReady');
  await c.login(f.token);
  await ready;
  return { fake: f, client: c };
}

/** Resolves with the next slash command the client receives, after running `handler` on it. */
function onCommand<T>(c: Client, handler: (i: ChatInputCommandInteraction) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    c.once('interactionCreate', (i: Interaction) => {
      if (!i.isChatInputCommand()) return reject(new Error(`unexpected interaction type ${i.type}`));
      handler(i).then(resolve, reject);
    });
  });
}

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#ff66aa' } }).png().toBuffer();
}

describe('fake Discord with the real discord.js Client', () => {
  it('logs in, becomes ready and caches guild roles, channels and the bot member', async () => {
    const { client: c } = await start();
    const guild = c.guilds.cache.get(GUILD);
    expect(c.user?.id).toBe(fake?.botUserId);
    expect(guild?.name).toBe('Studio');
    expect(guild?.ownerId).toBe(OWNER);
    expect(guild?.roles.everyone.id).toBe(GUILD);
    expect(guild?.roles.cache.get(CREATOR_ROLE)?.name).toBe('creator');
    const nsfw = guild?.channels.cache.get(NSFW);
    expect(nsfw?.isTextBased() && 'nsfw' in nsfw && nsfw.nsfw).toBe(true);
    expect(guild?.members.me?.id).toBe(fake?.botUserId);
    // Without the privileged GUILD_MEMBERS intent Discord sends only the bot's own member.
    expect(guild?.members.cache.has(ALICE)).toBe(false);
  });

  it('refuses a wrong token on /gateway/bot (TokenInvalid)', async () => {
    const f = await startFakeDiscord();
    fake = f;
    const c = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: f.apiBase } });
    client = c;
    await expect(c.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
  });

  it('delivers a slash command with member roles and records defer, edit with file, and follow-up', async () => {
    const { fake: f, client: c } = await start();
    const image = await png(64, 48);
    const handled = onCommand(c, async (i) => {
      expect(i.commandName).toBe('generate');
      expect(i.options.getString('prompt')).toBe('a cat');
      expect(i.options.getInteger('count')).toBe(2);
      expect(i.inCachedGuild() && i.member.roles.cache.has(CREATOR_ROLE)).toBe(true);
      expect(i.attachmentSizeLimit).toBe(10 * 1024 * 1024);
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      await i.editReply({
        content: 'done <@900000000000000031>',
        embeds: [new EmbedBuilder().setTitle('a cat').setImage('attachment://out.png')],
        files: [new AttachmentBuilder(image, { name: 'out.png' })],
        allowedMentions: { parse: [] },
      });
      const extra = await i.followUp({ content: 'seed 42' });
      return extra.id;
    });
    const handle = f.dispatchInteraction({ userId: ALICE, options: { prompt: 'a cat', count: 2 } });
    const followUpId = await handled;

    const callback = await handle.callback();
    expect(callback).toMatchObject({ type: 5, data: { flags: MessageFlags.Ephemeral }, status: 204 });
    const original = await handle.original((m) => m.attachments.length > 0);
    expect(original.content).toBe('done <@900000000000000031>');
    expect(original.allowedMentions).toEqual({ parse: [] });
    expect(original.mentions).toEqual({ users: [], roles: [], everyone: false });
    expect(original.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const [file] = original.attachments;
    expect(file).toMatchObject({ filename: 'out.png', width: 64, height: 48, contentType: 'image/png' });
    expect((await sharp(file?.data).metadata()).width).toBe(64);
    expect((original.embeds[0]?.image as { url?: string } | undefined)?.url).toBe(file?.url);
    // The bot can download what it uploaded from the URL in the message.
    expect(Buffer.from(await (await fetch(file?.url ?? '')).arrayBuffer()).equals(image)).toBe(true);
    expect(handle.record.edits.map((m) => m.flags & 128)).toEqual([128, 0]);
    const follow = await handle.followUp(0);
    expect(follow).toMatchObject({ id: followUpId, content: 'seed 42' });
    expect(f.channelMessages(GENERAL).map((m) => m.id)).toEqual([followUpId]);
  });

  it('retries an edit after an injected 429 and after injected 5xx, and the edit lands', async () => {
    const { fake: f, client: c } = await start();
    const route = 'PATCH /webhooks/:app/:token/messages/@original';
    f.rateLimitNext(route, 0.05);
    f.failNext(route, 502, 2);
    const handled = onCommand(c, async (i) => {
      await i.deferReply();
      await i.editReply('progress 50%');
    });
    const handle = f.dispatchInteraction({ userId: ALICE });
    await handled;
    expect((await handle.original((m) => m.content === 'progress 50%')).content).toBe('progress 50%');
    expect(f.countRequests(route, 429)).toBe(1);
    expect(f.countRequests(route, 502)).toBe(2);
    expect(f.countRequests(route, 200)).toBe(1);
  });

  it('answers 10062 to a first callback after the deadline and 40060 to a second callback', async () => {
    const { fake: f, client: c } = await start({ initialResponseDeadlineMs: 50 });
    const late = onCommand(c, async (i) => {
      await delay(Math.max(0, f.interactions.get(i.id)!.dispatchedAt + 60 - Date.now()));
      return i.deferReply().catch((error: unknown) => error);
    });
    f.dispatchInteraction({ userId: ALICE });
    const error = await late;
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 10062, status: 404 });

    const twice = onCommand(c, async (i) => {
      await i.deferReply();
      // discord.js guards against this itself; go to the wire to see Discord's answer.
      return c.rest
        .post(Routes.interactionCallback(i.id, i.token), { body: { type: 4, data: { content: 'x' } }, auth: false })
        .catch((e: unknown) => e);
    });
    f.dispatchInteraction({ userId: ALICE });
    expect(await twice).toMatchObject({ code: 40060, status: 400 });
  });

  it('rejects editReply with 50027 once the interaction token has expired', async () => {
    const { fake: f, client: c } = await start({ interactionTokenLifetimeMs: 150 });
    const result = onCommand(c, async (i) => {
      await i.deferReply();
      await delay(Math.max(0, f.interactions.get(i.id)!.dispatchedAt + 170 - Date.now()));
      return i.editReply('too late').catch((e: unknown) => e);
    });
    f.dispatchInteraction({ userId: ALICE });
    const error = await result;
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 50027, status: 401 });
    // A 401 on an unauthenticated webhook call must not wipe the bot token: bot routes still work.
    const channel = c.channels.cache.get(GENERAL);
    if (!channel?.isSendable()) throw new Error('general is not sendable');
    expect((await channel.send('still here')).content).toBe('still here');
  });

  it('sends channel messages with the bot token, applying allowed_mentions and the upload limit', async () => {
    const { fake: f, client: c } = await start({ botUploadLimit: 1024 });
    const channel = c.channels.cache.get(GENERAL);
    if (!channel?.isSendable()) throw new Error('general is not sendable');
    const quiet = await channel.send({ content: `<@${ALICE}> @everyone`, allowedMentions: { parse: [] } });
    const loud = await channel.send({ content: `<@${ALICE}> <@&${CREATOR_ROLE}> @everyone` });
    expect(f.message(quiet.id)?.mentions).toEqual({ users: [], roles: [], everyone: false });
    expect(f.message(loud.id)?.mentions).toEqual({ users: [ALICE], roles: [CREATOR_ROLE], everyone: true });
    expect(loud.mentions.everyone).toBe(true);
    const edited = await loud.edit('edited');
    expect(edited.editedTimestamp).not.toBeNull();
    expect((await f.waitForMessage(GENERAL, (m) => m.content === 'edited')).id).toBe(loud.id);
    const big = new AttachmentBuilder(Buffer.alloc(2048), { name: 'big.bin' });
    await expect(channel.send({ files: [big] })).rejects.toMatchObject({ code: 40005, status: 413 });
    await expect(channel.send({ content: 'x'.repeat(2001) })).rejects.toMatchObject({ code: 50035 });
  });

  it('keeps the gateway alive with heartbeat ACKs and resumes after a reconnect request, replaying missed events', async () => {
    const { fake: f, client: c } = await start();
    for (let beat = 0; beat < 3; beat++) await f.waitForGateway('heartbeat');
    expect(c.ws.status).toBe(Status.Ready);
    expect(c.ws.ping).toBeGreaterThanOrEqual(0);

    f.gateway.dropConnections(4000);
    await f.waitForGateway('closed');
    // Dispatched while the client is disconnected: Discord buffers it and replays it on RESUME.
    const arrived = onCommand(c, async (i) => i.id);
    const handle = f.dispatchInteraction({ userId: ALICE });
    await f.waitForGateway('resumed');
    expect(await arrived).toBe(handle.id);
    expect(f.gateway.identifies).toBe(1);

    f.gateway.requestReconnect();
    await f.waitForGateway('resumed');
    expect(f.gateway.resumes).toBe(2);
    await f.waitForGateway('heartbeat');
    expect(c.ws.status).toBe(Status.Ready);
  });

  it('stores bulk-overwritten guild commands and handles a button on the reply', async () => {
    const { fake: f, client: c } = await start();
    await c.application!.commands.set([{ name: 'generate', description: 'Make an image' }], GUILD);
    expect(f.commands(GUILD)).toMatchObject([{ name: 'generate', guild_id: GUILD }]);

    const replied = onCommand(c, async (i) => {
      await i.reply({ content: 'choose', components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'reroll', label: 'Re-roll' }] }] });
    });
    const command = f.dispatchInteraction({ userId: ALICE, channelId: NSFW });
    await replied;
    const message = await command.original();
    expect(message.channelId).toBe(NSFW);

    const clicked = new Promise<void>((resolve, reject) => {
      c.once('interactionCreate', (i: Interaction) => {
        if (!i.isButton()) return reject(new Error('expected a button'));
        expect(i.customId).toBe('reroll');
        expect(i.message.id).toBe(message.id);
        i.update({ content: 're-rolling', components: [] }).then(() => resolve(), reject);
      });
    });
    const button = f.dispatchInteraction({ kind: 'component', userId: ALICE, channelId: NSFW, customId: 'reroll', messageId: message.id });
    await clicked;
    expect((await button.callback()).type).toBe(7);
    expect(f.message(message.id)).toMatchObject({ content: 're-rolling', components: [] });
    expect(command.record.original?.content).toBe('re-rolling');
  });

  it('turns a follow-up right after a defer into the original, answers with_response, autocomplete and modals', async () => {
    const { fake: f, client: c } = await start();
    const deferred = onCommand(c, async (i) => {
      const response = await i.deferReply({ withResponse: true });
      const msg = await i.followUp('first words');
      return { response, msg };
    });
    const handle = f.dispatchInteraction({ userId: ALICE });
    const { response, msg } = await deferred;
    expect(response.interaction.responseMessageLoading).toBe(true);
    expect(msg.id).toBe(response.resource?.message?.id);
    expect(handle.record.followUps).toHaveLength(0);
    expect((await handle.original()).content).toBe('first words');

    const choices = new Promise<void>((resolve, reject) => {
      c.once('interactionCreate', (i: Interaction) => {
        if (!i.isAutocomplete()) return reject(new Error('expected autocomplete'));
        i.respond([{ name: 'Sakura', value: 'sakura' }]).then(resolve, reject);
      });
    });
    const auto = f.dispatchInteraction({
      kind: 'autocomplete',
      userId: ALICE,
      options: [{ name: 'character', type: 3, value: 'sa', focused: true }],
    });
    await choices;
    expect(await auto.callback()).toMatchObject({ type: 8, data: { choices: [{ name: 'Sakura', value: 'sakura' }] } });

    const submitted = new Promise<string>((resolve, reject) => {
      c.once('interactionCreate', (i: Interaction) => {
        if (!i.isModalSubmit()) return reject(new Error('expected a modal submit'));
        const prompt = i.fields.getTextInputValue('prompt');
        i.reply({ content: `queued ${prompt}`, flags: MessageFlags.Ephemeral }).then(() => resolve(prompt), reject);
      });
    });
    const modal = f.dispatchInteraction({
      kind: 'modal',
      userId: ALICE,
      customId: 'prompt-modal',
      components: [{ type: 1, components: [{ type: 4, custom_id: 'prompt', value: 'a fox' }] }],
    });
    expect(await submitted).toBe('a fox');
    expect((await modal.original()).content).toBe('queued a fox');
    expect(f.channelMessages(GENERAL).some((m) => m.content === 'queued a fox')).toBe(false);
  });
});
