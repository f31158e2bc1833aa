import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import type { StoredMessage } from '../fakes/slack/index.js';
import { openLink } from '../integration/projects-support.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

/**
 * Projects and characters through the real Bolt app and WebClient against the fake Slack, driven by
 * signed requests: a moderator sets up a project and a character, a creator generates with it, and
 * the gallery link the reply carries opens on the web server.
 */
const CHANNEL = 'C0PROJECT1';
const OWNER = 'U0OWNER0P1';
const MOD = 'U0MODP0001';
const CREATOR = 'U0CREATOR1';
const MODS = 'S0MODSP001';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack({
    fake: {
      teamId: 'T0PROJECTS',
      users: [{ id: OWNER, name: 'owner', is_owner: true, is_admin: true }, { id: MOD, name: 'mika' }, { id: CREATOR, name: 'ren' }],
      usergroups: { [MODS]: [MOD] },
      channels: [{ id: CHANNEL, name: 'festival' }],
    },
    env: { BUILTIN_STEP_DELAY_MS: '20', RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '100' },
  });
  await command(OWNER, '/anime-config', `roles set <!subteam^${MODS}|@mods> moderator`);
});
afterAll(async () => {
  await s?.close();
  expect(s?.fake.internalErrors ?? []).toEqual([]);
});

/** Runs a command; returns its one answer, which must be ephemeral. */
async function command(userId: string, name: string, text: string): Promise<string> {
  const res = await s.driver.slashCommand({ command: name, text, userId, channelId: CHANNEL });
  expect(res.status).toBe(200);
  const post = await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === res.responseUrl)?.posts[0]);
  expect(post.body.response_type).toBe('ephemeral');
  return String(post.body.text);
}

const blockText = (m: StoredMessage) => JSON.stringify(m.blocks ?? []);
const finished = (m: StoredMessage) => s.fake.waitFor(() => (blockText(m).includes('job_reroll') ? m : undefined), 15_000);
/** The first `<url|label>` link in mrkdwn text whose url contains `part`. */
const linkIn = (text: string, part: string) => [...text.matchAll(/<(https?:[^|>]+)\|/g)].map((m) => m[1]!).find((u) => u.includes(part));

describe('projects and characters in Slack', () => {
  test('a moderator creates a project and a character and makes the project the channel default', async () => {
    const created = await command(MOD, '/project', 'create Summer Festival --description Posters & clips <!channel>');
    expect(created).toMatch(/^Created project <http:\/\/[^|]+\/gallery\/[0-9a-f-]{36}\/p\/summer-festival\?pass=v1\.[^|]+\|Summer Festival> `summer-festival`/);
    const character = await command(MOD, '/character', 'create Aiko --prompt girl with pink hair, green eyes --negative short hair --project summer-festival --seed 77');
    expect(character).toContain('Prompt fragment: girl with pink hair, green eyes');
    expect(character).toContain('Reference seed: 77');
    expect(await command(MOD, '/project', 'use summer-festival')).toContain('now goes to');
    const info = await command(CREATOR, '/project', 'info summer-festival');
    expect(info).toContain('Posters &amp; clips &lt;!channel&gt;');
    expect(info).toContain(`<#${CHANNEL}>`);
    expect(await command(CREATOR, '/character', 'list --project summer-festival')).toContain('*Aiko*');
  });

  test('a creator may not change projects or characters, and is told so privately', async () => {
    expect(await command(CREATOR, '/project', 'create Nope')).toMatch(/You can't do that: only moderators may create projects/);
    expect(await command(CREATOR, '/character', 'create Ren --prompt a boy')).toMatch(/You can't do that: only moderators/);
    expect(s.fake.messages(CHANNEL)).toHaveLength(0);
  });

  test('a creator generates with the character: the job lands in the channel project, fragment first, with a gallery link that opens', async () => {
    const res = await s.driver.slashCommand({ text: 'walking on the beach --character Aiko', userId: CREATOR, channelId: CHANNEL });
    expect(res.status).toBe(200);
    const message = await finished(await s.fake.waitFor(() => s.fake.messages(CHANNEL).find((m) => !m.thread_ts && m.text.includes('beach'))));
    const jobId = /job `([0-9a-f-]{36})`/.exec(blockText(message))?.[1];
    const job = await s.stack.runtime.records.getJob(jobId!);
    expect(job?.projectSlug).toBe('summer-festival');
    expect(job?.promptSent).toBe('girl with pink hair, green eyes, walking on the beach');
    expect(job?.seed).toBe(77);
    const url = linkIn(blockText(message).replace(/\\\//g, '/'), '/p/summer-festival');
    expect(url).toMatch(new RegExp(`^${s.stack.baseUrl}/gallery/${job!.spaceId}/p/summer-festival\\?pass=v1\\.`));
    const opened = await openLink(url!);
    expect(opened.page.status).toBe(200);
    expect(opened.page.text).toContain('walking on the beach');
  });

  test('/history and /search list the image; /gallery gives a private one-hour link', async () => {
    const history = await command(CREATOR, '/history', `<@${CREATOR}|ren> summer-festival`);
    expect(history).toContain('walking on the beach');
    expect(history).toContain('Aiko');
    const found = await command(MOD, '/search', 'beach --character Aiko --kind image');
    expect(found).toContain('walking on the beach');
    expect(linkIn(found, '/i/')).toBeDefined();
    expect(await command(MOD, '/search', 'submarine')).toMatch(/nothing found/);

    const gallery = await command(CREATOR, '/gallery', '');
    const url = linkIn(gallery, '/gallery/')!;
    const expires = Number(/\.(\d{10})\.[A-Za-z0-9_-]{43}$/.exec(url)?.[1]);
    expect(expires * 1000 - Date.now()).toBeGreaterThan(3500_000);
    expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(3600_000);
    expect((await openLink(url)).page.status).toBe(200);
  });

  test('a private project and its characters answer a non-member\'s /generate exactly like unknown ones; nothing is queued', async () => {
    await command(MOD, '/project', 'create Vault --visibility private');
    await command(MOD, '/character', 'create Shade --prompt SECRETFRAGMENT girl --project vault');
    const before = s.fake.messages(CHANNEL).length;
    const hidden = await command(CREATOR, '/generate', 'a cat --project vault --character Shade');
    expect(hidden).toMatch(/^Not found/);
    expect(hidden.replace('vault', '<name>')).toBe((await command(CREATOR, '/generate', 'a cat --project nowhere --character Shade')).replace('nowhere', '<name>'));
    expect(s.fake.messages(CHANNEL)).toHaveLength(before);
    const sent = await s.stack.database.db.select({ prompt: jobs.promptSent }).from(jobs);
    expect(sent.some((j) => j.prompt.includes('SECRETFRAGMENT'))).toBe(false);
  });

  test('flag mistakes name the flag and nothing is queued or changed', async () => {
    const before = s.fake.messages(CHANNEL).length;
    expect(await command(CREATOR, '/generate', 'a cat --character')).toMatch(/--character needs a value/);
    expect(await command(CREATOR, '/generate', 'a cat --project Summer_Fest')).toMatch(/--project needs a project slug/);
    expect(await command(CREATOR, '/generate', 'a cat --character Nobody')).toMatch(/Nobody/);
    expect(await command(MOD, '/character', 'create Mika --prompt a girl --colour red')).toMatch(/^Unknown flag --colour; use --project, --prompt.*\nUsage: `\/character create &lt;name&gt; --prompt/);
    expect(await command(MOD, '/character', 'create Mika --prompt a girl --seed lots')).toMatch(/--seed needs a whole number/);
    expect(s.fake.messages(CHANNEL)).toHaveLength(before);
  });
});
