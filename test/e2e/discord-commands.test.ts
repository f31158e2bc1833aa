import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { expectNoLeak } from '../support/leaks.js';
import { deployCommands } from '../../commands/deploy.js';
import { ALICE, BOB, GUILD, LOUNGE, OWNER, VIC, VIEWER_ROLE, startHarness, subcommand, type Harness } from './discord-harness.js';

const EPHEMERAL = 64;
let h: Harness;

beforeAll(async () => {
  // No worker: accepted jobs stay queued, which is what /jobs and /cancel need.
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

/** The private answer of a command that defers ephemerally. */
async function privateAnswer(handle: ReturnType<Harness['command']>) {
  const answer = await handle.original((m) => m.content !== '');
  expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
  expect(answer.allowedMentions).toEqual({ parse: [] });
  return answer.content;
}

describe('admin and job commands', () => {
  test('commands:deploy bulk-overwrites guild commands with Japanese localizations', async () => {
    const count = await deployCommands({ token: h.fake.token, appId: h.fake.applicationId, apiBase: h.fake.apiBase, guildId: GUILD });
    expect(count).toBe(12);
    const stored = h.fake.commands(GUILD) as Array<{ name: string; name_localizations?: { ja?: string }; options?: Array<{ name: string }> }>;
    expect(stored.map((c) => c.name).sort()).toEqual(['backend', 'cancel', 'character', 'config', 'gallery', 'generate', 'history', 'jobs', 'project', 'search', 'token', 'usage']);
    expect(stored.find((c) => c.name === 'generate')?.name_localizations?.ja).toBe('生成');
    expect(stored.find((c) => c.name === 'generate')?.options?.map((o) => o.name)).toEqual(['prompt', 'negative', 'aspect', 'seed', 'count', 'project', 'character', 'character2', 'character3', 'model', 'image', 'strength']);
    expect(h.fake.countRequests(`PUT /applications/:app/guilds/${GUILD}/commands`, 200)).toBe(1);
  });

  test('/config roles set changes the mapping and the next request obeys it', async () => {
    const demote = h.command(OWNER, 'config', subcommand('roles', 'set', [{ name: 'role', type: 8, value: VIEWER_ROLE }, { name: 'app_role', type: 3, value: 'viewer' }]));
    expect(await privateAnswer(demote)).toBe(`<@&${VIEWER_ROLE}> now counts as **viewer**.`);
    const refused = await h.generate(VIC, { prompt: 'a tea cup' }).followUp(0);
    expect(refused.content).toMatch(/cannot generate images/);

    const promote = h.command(OWNER, 'config', subcommand('roles', 'set', [{ name: 'role', type: 8, value: VIEWER_ROLE }, { name: 'app_role', type: 3, value: 'creator' }]));
    expect(await privateAnswer(promote)).toContain('**creator**');
    const accepted = h.generate(VIC, { prompt: 'a tea cup' });
    expect((await accepted.original((m) => m.content.includes('Queued'))).content).toMatch(/Queued — \d+(st|nd|rd|th) in line/);

    const list = await privateAnswer(h.command(OWNER, 'config', subcommand('roles', 'list')));
    expect(list).toContain(`<@&${VIEWER_ROLE}> → **creator**`);
  });

  test('/config is refused to a creator, and limits and policy changes apply', async () => {
    expect(await privateAnswer(h.command(ALICE, 'config', subcommand('roles', 'list')))).toMatch(/Only server admins/);
    const limits = await privateAnswer(h.command(OWNER, 'config', subcommand('limits', 'set', [{ name: 'max_pending', type: 4, value: 1 }])));
    expect(limits).toContain('pending 1');
    const blocked = await privateAnswer(h.command(OWNER, 'config', subcommand('policy', 'blocklist-add', [{ name: 'word', type: 3, value: 'durian' }])));
    expect(blocked).toContain('durian');
    const refusal = await h.generate(BOB, { prompt: 'a durian cake' }).followUp(0);
    expect(refusal.content).toMatch(/blocked/);
    const nsfw = await privateAnswer(h.command(OWNER, 'config', subcommand('policy', 'nsfw-channel', [{ name: 'channel', type: 7, value: LOUNGE }, { name: 'nsfw', type: 5, value: true }])));
    expect(nsfw).toContain(`<#${LOUNGE}>`);
    expect(await privateAnswer(h.command(OWNER, 'config', subcommand('policy', 'show')))).toContain(`<#${LOUNGE}>`);
  });

  test('text the database cannot store gets the core\'s clear refusal, naming the option', async () => {
    const refused = await h.generate(BOB, { prompt: 'a cat\u0000' }).followUp(0);
    expect(refused.content).toMatch(/`prompt`.*prompt must not contain NUL characters/);
    const broken = await h.generate(BOB, { prompt: 'a cat \ud800' }).followUp(0);
    expect(broken.content).toMatch(/prompt must be valid Unicode text/);
    expect(await privateAnswer(h.command(ALICE, 'search', { text: 'cat\u0000' }))).toMatch(/q must not contain NUL characters/);
  });

  test('/jobs lists the caller\'s queued jobs with cancel buttons, and /cancel takes the short id', async () => {
    const queued = h.generate(ALICE, { prompt: 'a quiet library' });
    await queued.original((m) => m.content.includes('Queued'));
    const jobs = h.command(ALICE, 'jobs', {});
    const listing = await jobs.original((m) => m.content !== '');
    expect(listing.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(listing.content).toContain('a quiet library');
    const jobId = /ap:cancel:([0-9a-f-]{36})/.exec(JSON.stringify(listing.components))?.[1];
    expect(jobId).toBeDefined();

    expect(await privateAnswer(h.command(BOB, 'cancel', { job: jobId! }))).toMatch(/does not exist, or it is not yours/);
    expect(await privateAnswer(h.command(ALICE, 'cancel', { job: 'zz' }))).toMatch(/`job` option must be a job id/);
    expect(await privateAnswer(h.command(ALICE, 'cancel', { job: jobId!.slice(0, 8) }))).toBe(`Cancelled job \`${jobId!.slice(0, 8)}\`.`);
    await queued.original((m) => m.content.includes('🚫 Cancelled'));
  });

  test('/token gives an admin a working API token, privately; a creator is refused', async () => {
    const answer = await privateAnswer(h.command(OWNER, 'token', [{ name: 'user', type: 6, value: ALICE }, { name: 'role', type: 3, value: 'creator' }, { name: 'days', type: 4, value: 7 }]));
    const token = /```\n(.+)\n```/.exec(answer)?.[1];
    expect(token).toBeDefined();
    const status = await fetch(`${h.stack.baseUrl}/api/anime/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a test from the API', width: 64, height: 64, steps: 1 }),
    });
    expect(status.status).toBe(202);
    expect(await privateAnswer(h.command(ALICE, 'token', [{ name: 'user', type: 6, value: ALICE }, { name: 'role', type: 3, value: 'admin' }, { name: 'days', type: 4, value: 7 }]))).toMatch(/Only server admins can issue/);
  });

  test('a bug inside a handler shows a short reference id, privately, and no internals', async () => {
    const submit = vi.spyOn(h.stack.runtime.service, 'submit').mockRejectedValueOnce(new Error('relation "jobs" broke at /work/main/src/db/records.ts:12'));
    const refusal = await h.generate(ALICE, { prompt: 'a sunflower' }).followUp(0);
    submit.mockRestore();
    expect(refusal.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).toMatch(/^Something went wrong on our side\. Reference: `[0-9a-f]{8}`$/);
    expectNoLeak(refusal.content, [h.fake.token]);
  });
});
