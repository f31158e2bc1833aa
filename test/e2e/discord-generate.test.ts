import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StoredMessage } from '../fakes/discord/index.js';
import { ALICE, BOB, CREATOR_ROLE, GENERAL, OTHER_GUILD, VIC, VIEWER_ROLE, isFinal, isProgress, startHarness, type Harness } from './discord-harness.js';

const EPHEMERAL = 64;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function expectQuiet(messages: StoredMessage[]): void {
  for (const m of messages) {
    if (m.content === '' && m.embeds.length === 0) continue; // the deferred "thinking" state carries no text
    expect(m.allowedMentions).toEqual({ parse: [] });
    expect(m.mentions).toEqual({ users: [], roles: [], everyone: false });
  }
}

describe('/generate in a guild', () => {
  test('a creator gets defer, queued, progress edits, and the finished image with recipe, link and buttons', async () => {
    const handle = h.generate(ALICE, { prompt: 'a girl with pink hair by the sea', aspect: 'portrait', seed: 7 });
    const callback = await handle.callback();
    expect(callback.type).toBe(5);
    expect(callback.at - handle.record.dispatchedAt).toBeLessThan(3_000);
    expect(((callback.data?.flags as number | undefined) ?? 0) & EPHEMERAL).toBe(0);

    const final = await handle.original(isFinal, 20_000);
    const edits = handle.record.edits;
    expect(edits.find((m) => m.content.includes('Queued'))?.content).toContain('1st in line');
    const progress = [...new Set(edits.filter(isProgress).map((m) => m.content))];
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatch(/step \d+ of 20\n`[█░]{12}` \d+%/);

    const [file] = final.attachments;
    expect(file?.filename).toBe('image-1.webp');
    const meta = await sharp(file!.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 512, 768]);
    const embed = final.embeds[0] as { url: string; description: string; fields: Array<{ name: string; value: string }>; image: { url: string } };
    // The project link is a signed gallery link (7 days), not a bare public path.
    expect(embed.url).toMatch(new RegExp(`^${h.stack.baseUrl}/gallery/[0-9a-f-]{36}/p/general\\?pass=v1\\.`));
    expect(embed.image.url).toBe(file!.url);
    expect(Object.fromEntries(embed.fields.map((f) => [f.name, f.value]))).toMatchObject({ Seed: '7', Size: '512×768', Backend: 'builtin' });
    expect(embed.fields.find((f) => f.name === 'Time')?.value).toMatch(/^\d+\.\d s$/);
    // The full-size link is a signed media URL that really serves the original.
    const link = /\[Full size 1\]\((http[^)]+)\)/.exec(embed.description)?.[1];
    expect((await fetch(link!)).status).toBe(200);
    const buttons = JSON.stringify(final.components);
    expect(buttons).toMatch(/"custom_id":"ap:reroll:[0-9a-f-]{36}"/);
    expect(buttons).toMatch(/"custom_id":"ap:delete:[0-9a-f-]{36}"/);
    expect(buttons).not.toContain('ap:cancel');
    expect(JSON.stringify(edits.find(isProgress)?.components)).toContain('ap:cancel');
    expectQuiet(edits);

    // Throttled: no two edits of the message closer than the interval (100 ms in tests).
    const times = edits.slice(1).map((m) => Date.parse(m.editedTimestamp ?? m.timestamp));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(90);
    expect(await h.landedReply(h.jobIdOf(final))).toMatchObject({ platform: 'discord', mode: 'interaction', messageId: final.id });
  });

  test('a prompt with @everyone and role and user mentions pings nobody, in any message', async () => {
    const prompt = `hello @everyone @here <@&${CREATOR_ROLE}> <@${VIC}> a cat`;
    const handle = h.generate(ALICE, { prompt, aspect: 'square' });
    const final = await handle.original(isFinal, 20_000);
    expect(final.content).toContain('@everyone');
    expect(final.content).toContain(`<@&${CREATOR_ROLE}>`);
    expectQuiet(handle.record.edits);
    expect(h.fake.channelMessages(GENERAL).every((m) => !m.mentions.everyone && m.mentions.roles.length === 0 && m.mentions.users.length === 0)).toBe(true);
  });

  test('a viewer is refused privately and nothing is queued', async () => {
    const admin = await h.stack.runtime.service.identify(h.adminActor());
    expect((await h.stack.runtime.admin.setRoleMapping(admin, VIEWER_ROLE, 'viewer')).ok).toBe(true);
    const handle = h.generate(VIC, { prompt: 'a dragon' });
    expect((await handle.callback()).type).toBe(5);
    const refusal = await handle.followUp(0);
    expect(refusal.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).toMatch(/cannot generate images/);
    expect(refusal.allowedMentions).toEqual({ parse: [] });
    expect(handle.record.original?.deleted).toBe(true);
    const vic = await h.stack.runtime.service.identify({ ...h.adminActor(), userExternalId: VIC, isPlatformAdmin: false, platformRoles: [VIEWER_ROLE] });
    const jobs = await h.stack.runtime.service.listJobs(vic, 'mine');
    expect(jobs.ok && jobs.value).toEqual([]);
  });

  test('over the rate limit: refused privately with when to retry', async () => {
    const admin = await h.stack.runtime.service.identify(h.adminActor(OTHER_GUILD));
    expect((await h.stack.runtime.admin.updateSettings(admin, { limits: { ratePerMinute: 1, burst: 0 } })).ok).toBe(true);
    // Limits are per user across servers: Bob has not generated anywhere yet.
    const first = h.generate(BOB, { prompt: 'one apple' }, { guildId: OTHER_GUILD });
    await first.original((m) => m.content.includes('Queued') || isProgress(m) || isFinal(m));
    const second = h.generate(BOB, { prompt: 'two apples' }, { guildId: OTHER_GUILD });
    const refusal = await second.followUp(0);
    expect(refusal.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).toMatch(/too fast\. Try again <t:\d+:R> \(in about \d+ s\)/);
    await first.original(isFinal, 20_000);
  });

  test('bad input names the option', async () => {
    const handle = h.generate(ALICE, { prompt: '   ' });
    const refusal = await handle.followUp(0);
    expect(refusal.content).toMatch(/`prompt` option is not valid/);
  });
});
