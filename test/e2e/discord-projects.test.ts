import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StoredMessage } from '../fakes/discord/index.js';
import { ALICE, GENERAL, MOD, MOD_ROLE, isFinal, startHarness, type Harness } from './discord-harness.js';

const EPHEMERAL = 64;
const FRAGMENT = 'aoi, short blue hair, red ribbon, school uniform';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const admin = await h.stack.runtime.service.identify(h.adminActor());
  expect((await h.stack.runtime.admin.setRoleMapping(admin, MOD_ROLE, 'moderator')).ok).toBe(true);
});
afterAll(async () => {
  await h?.close();
});

/** The private answer of a command that defers ephemerally: its text, or its embed's description. */
async function privateAnswer(handle: ReturnType<Harness['command']>): Promise<string> {
  const answer = await handle.original((m) => m.content !== '' || m.embeds.length > 0, 10_000);
  expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
  expect(answer.allowedMentions).toEqual({ parse: [] });
  return answer.content || String((answer.embeds[0] as { description?: string }).description);
}

const sub = (name: string, options: Record<string, unknown>[] = []) => [{ name, type: 1, options }];
const str = (name: string, value: string) => ({ name, type: 3, value });

/** Autocomplete (type 4): the choices the bot answered with (callback type 8). */
async function complete(userId: string, commandName: string, options: Record<string, unknown>[]): Promise<Array<{ name: string; value: string }>> {
  const handle = h.fake.dispatchInteraction({ kind: 'autocomplete', userId, commandName, options: options as never });
  const callback = await handle.callback();
  expect(callback.type).toBe(8);
  return (callback.data as { choices: Array<{ name: string; value: string }> }).choices;
}

/** Opens a signed gallery link as a browser would: the pass is traded for a cookie, then the page. */
async function openGallery(url: string): Promise<{ status: number; body: string }> {
  const first = await fetch(url, { redirect: 'manual' });
  expect(first.status).toBeGreaterThanOrEqual(300);
  expect(first.status).toBeLessThan(400);
  const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
  const page = await fetch(new URL(first.headers.get('location')!, url), { headers: { cookie } });
  return { status: page.status, body: await page.text() };
}

function linksIn(text: string): string[] {
  return [...text.matchAll(/\]\(<(http[^>]+)>\)/g)].map((m) => m[1]!);
}

describe('projects and characters through Discord', () => {
  test('a moderator creates a project and a character, and makes the project the channel default', async () => {
    const created = await privateAnswer(h.command(MOD, 'project', sub('create', [str('name', 'Summer Festival <@&1> @everyone')])));
    expect(created).toMatch(/^Created \*\*Summer Festival <@&1> @everyone\*\* \(`summer-festival-1-everyone`\), visible to every member/);
    expect(linksIn(created)[0]).toMatch(/\/gallery\/[0-9a-f-]{36}\/p\/summer-festival-1-everyone\?pass=/);
    const renamed = await privateAnswer(h.command(MOD, 'project', sub('create', [str('name', 'Summer Festival'), str('slug', 'summer')])));
    expect(renamed).toContain('(`summer`)');

    const character = await privateAnswer(h.command(MOD, 'character', sub('create', [str('name', 'Aoi'), str('fragment', FRAGMENT), str('project', 'summer')])));
    expect(character).toContain('Created **Aoi** (project `summer`)');

    const used = await privateAnswer(h.command(MOD, 'project', sub('use', [str('project', 'summer')])));
    expect(used).toContain(`<#${GENERAL}> now goes to **Summer Festival** (\`summer\`)`);
    const info = await privateAnswer(h.command(MOD, 'project', sub('info', [str('project', 'summer')])));
    expect(info).toContain(`Default in <#${GENERAL}>`);
  });

  test('a creator is refused project and character changes, privately, and nothing changes', async () => {
    const refused = await privateAnswer(h.command(ALICE, 'project', sub('create', [str('name', 'Mine')])));
    expect(refused).toMatch(/Only moderators can create or change projects/);
    const noCharacter = await privateAnswer(h.command(ALICE, 'character', sub('delete', [str('name', 'Aoi'), str('project', 'summer')])));
    expect(noCharacter).toMatch(/Only moderators can create, edit or delete characters/);
    const list = await privateAnswer(h.command(ALICE, 'project', sub('list')));
    expect(list).not.toContain('Mine');
    expect(list).toContain('`summer`');
  });

  test('autocomplete offers matching projects and characters', async () => {
    const projects = await complete(ALICE, 'generate', [str('prompt', 'x'), { ...str('project', 'SUMM'), focused: true }]);
    expect(projects.map((c) => c.value)).toEqual(['summer', 'summer-festival-1-everyone']);
    const characters = await complete(ALICE, 'generate', [str('prompt', 'x'), { ...str('character', 'ao'), focused: true }]);
    expect(characters).toEqual([{ name: 'Aoi (summer)', value: 'Aoi' }]);
    expect(await complete(ALICE, 'generate', [{ ...str('character2', 'zz'), focused: true }])).toEqual([]);
    const show = await complete(ALICE, 'character', sub('show', [{ ...str('name', 'A'), focused: true }]));
    expect(show.map((c) => c.value)).toEqual(['Aoi']);
  });

  let final: StoredMessage;
  test('a creator /generate with the character lands in the channel project, with a gallery link that opens', async () => {
    const handle = h.generate(ALICE, { prompt: 'eating shaved ice at the beach', character: 'aoi', seed: 11 });
    final = await handle.original(isFinal, 20_000);
    const job = await h.stack.runtime.records.getJob(h.jobIdOf(final));
    expect(job?.projectSlug).toBe('summer');
    expect(job?.promptSent.startsWith(FRAGMENT)).toBe(true);
    expect(job?.promptSent).toContain('eating shaved ice at the beach');
    const embed = final.embeds[0] as { url: string; description: string };
    expect(embed.url).toMatch(/\/gallery\/[0-9a-f-]{36}\/p\/summer\?pass=v1\./);
    expect(embed.description).toContain(`](${embed.url})`);
    const page = await openGallery(embed.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Summer Festival');
  });

  test('/history and /search list the image with signed links; an unknown project is not found', async () => {
    const history = await privateAnswer(h.command(ALICE, 'history', [{ name: 'project', type: 3, value: 'summer' }, { name: 'user', type: 6, value: ALICE }]));
    expect(history).toContain('eating shaved ice at the beach');
    expect(history).toContain('Aoi');
    const imageLink = linksIn(history)[0]!;
    expect(imageLink).toMatch(/\/i\/[0-9a-f-]{36}\?pass=/);
    expect((await openGallery(imageLink)).status).toBe(200);

    const found = await privateAnswer(h.command(ALICE, 'search', [str('text', 'shaved ice'), str('character', 'Aoi'), str('kind', 'image')]));
    expect(found).toContain('eating shaved ice at the beach');
    const none = await privateAnswer(h.command(ALICE, 'search', [str('text', 'volcano')]));
    expect(none).toContain('No images match.');
    const missing = await privateAnswer(h.command(ALICE, 'history', [str('project', 'nope')]));
    expect(missing).toContain('Not found: no project named "nope"');
  });

  test('/gallery answers privately with a short-lived link that opens', async () => {
    const answer = await privateAnswer(h.command(ALICE, 'gallery', {}));
    expect(answer).toMatch(/only for you; the link works until <t:\d+:t>/);
    const expires = Number(/<t:(\d+):t>/.exec(answer)![1]);
    expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(3600_000);
    expect((await openGallery(linksIn(answer)[0]!)).status).toBe(200);
  });
});
