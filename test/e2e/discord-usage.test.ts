import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALICE, BOB, GUILD, OWNER, isFinal, startHarness, subcommand, type Harness } from './discord-harness.js';

const EPHEMERAL = 64;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { RATE_LIMIT_BURST: '100' } });
});
afterAll(async () => {
  await h?.close();
});

async function privateAnswer(handle: ReturnType<Harness['command']>) {
  const answer = await handle.original((m) => m.content !== '');
  expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
  expect(answer.allowedMentions).toEqual({ parse: [] });
  return answer.content;
}

const today = () => new Date().toISOString().slice(0, 10);
const midnight = () => Math.floor(Date.now() / 86_400_000 + 1) * 86_400;

describe('GPU usage and quota in Discord', () => {
  test('/usage shows your own GPU time of today, recorded by the worker under its backend, privately', async () => {
    const final = await h.generate(ALICE, { prompt: 'a lantern by the sea' }).original(isFinal, 20_000);
    expect(final.content).toContain('Done');
    const text = await privateAnswer(h.command(ALICE, 'usage', {}));
    expect(text).toMatch(/^\*\*Your GPU time\*\* — UTC days \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
    expect(text).toContain('no daily quota');
    expect(text).toMatch(new RegExp(`\`${today()}\` \\d+ s · 1 attempt \\(builtin \\d+ s\\)`));
    // Seven UTC days by default, today last.
    expect(text.match(/^`\d{4}-\d{2}-\d{2}`/gm)).toHaveLength(7);
  });

  test("a member cannot read another member's usage; an admin can read a member's and the server's", async () => {
    expect(await privateAnswer(h.command(BOB, 'usage', [{ name: 'user', type: 6, value: ALICE }]))).toMatch(/^Only server admins can see another member's/);
    expect(await privateAnswer(h.command(BOB, 'usage', [{ name: 'server', type: 5, value: true }]))).toMatch(/^Only server admins/);
    const member = await privateAnswer(h.command(OWNER, 'usage', [{ name: 'user', type: 6, value: ALICE }, { name: 'days', type: 4, value: 1 }]));
    expect(member).toMatch(new RegExp(`^\\*\\*GPU time of <@${ALICE}>\\*\\* — UTC days ${today()} to ${today()}`));
    expect(member).toContain('1 attempt (builtin');
    const server = await privateAnswer(h.command(OWNER, 'usage', [{ name: 'server', type: 5, value: true }, { name: 'days', type: 4, value: 2 }]));
    expect(server).toMatch(/^\*\*GPU time of this server\*\*/);
  });

  test('/config limits set gpu_minutes_per_day: a job over the quota is refused before it is queued, with what is left and when it resets', async () => {
    const set = await privateAnswer(h.command(OWNER, 'config', subcommand('limits', 'set', [{ name: 'gpu_minutes_per_day', type: 4, value: 1 }])));
    expect(set).toContain('GPU 1 min/day');
    // Alice's earlier job took well under a minute; a finished minute more spends her quota.
    const viewer = await h.stack.runtime.service.identify({ platform: 'discord', spaceExternalId: GUILD, userExternalId: ALICE, platformRoles: [], isPlatformAdmin: false });
    await h.stack.database.pool.query(
      `INSERT INTO job_attempts (id, job_id, attempt, backend, user_id, project_id, space_id, ended_at, gpu_ms, outcome)
       SELECT gen_random_uuid(), j.id, 9, 'builtin', j.user_id, j.project_id, j.space_id, now(), 60000, 'completed' FROM jobs j WHERE j.user_id = $1 LIMIT 1`,
      [viewer.identity.userId],
    );
    const jobsBefore = (await h.stack.database.pool.query('SELECT count(*)::int AS n FROM jobs')).rows[0].n;

    const refused = await h.generate(ALICE, { prompt: 'one more lantern' }).followUp(0);
    expect(refused.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refused.content).toMatch(/^You have used your GPU time for today: 1 min of 1 min, nothing left\. It resets at 00:00 UTC \(<t:(\d+):t>, <t:\1:R>\)\. `\/usage` shows your day\.$/);
    expect(refused.content).toContain(`<t:${midnight()}:R>`);
    expect((await h.stack.database.pool.query('SELECT count(*)::int AS n FROM jobs')).rows[0].n).toBe(jobsBefore);

    const usage = await privateAnswer(h.command(ALICE, 'usage', {}));
    expect(usage).toMatch(/Today: 1 min of 1 min used, \*\*0 s left\*\*\. Resets at 00:00 UTC/);

    // Bob has used nothing today: still admitted. Removing the quota (0) admits Alice again.
    const bob = await h.generate(BOB, { prompt: 'a paper boat' }).original(isFinal, 20_000);
    expect(bob.content).toContain('Done');
    expect(await privateAnswer(h.command(OWNER, 'config', subcommand('limits', 'set', [{ name: 'gpu_minutes_per_day', type: 4, value: 0 }])))).toContain('GPU no quota');
    expect((await h.generate(ALICE, { prompt: 'a last lantern' }).original(isFinal, 20_000)).content).toContain('Done');
  });
});
