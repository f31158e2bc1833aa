import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

const CHANNEL = 'C0USAGE001';
const OWNER = 'U0OWNER001';
const MIKA = 'U0MIKA0001';
const SORA = 'U0SORA0001';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack({
    fake: {
      teamId: 'T0USAGE001',
      users: [
        { id: OWNER, name: 'owner', is_owner: true, is_admin: true },
        { id: MIKA, name: 'mika' },
        { id: SORA, name: 'sora' },
      ],
      channels: [{ id: CHANNEL, name: 'usage' }],
    },
    // No worker: the GPU time is written as the worker would, so the sums are exact.
    worker: false,
  });
});
afterAll(async () => {
  await s?.close();
  expect(s?.fake.internalErrors ?? []).toEqual([]);
});

async function command(userId: string, text: string, name: string): Promise<string> {
  const res = await s.driver.slashCommand({ command: name, text, userId, channelId: CHANNEL });
  const post = await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === res.responseUrl)?.posts[0]);
  expect(post.body.response_type).toBe('ephemeral');
  return String(post.body.text);
}

/** A finished attempt of one of this Slack user's jobs, ended now. */
async function spend(userId: string, gpuMs: number, backend: string): Promise<void> {
  await s.stack.database.pool.query(
    `INSERT INTO job_attempts (id, job_id, attempt, backend, user_id, project_id, space_id, ended_at, gpu_ms, outcome)
     SELECT gen_random_uuid(), j.id, 1, $2, j.user_id, j.project_id, j.space_id, now(), $3, 'completed'
     FROM jobs j JOIN users u ON u.id = j.user_id WHERE u.external_id = $1 LIMIT 1`,
    [userId, backend, gpuMs],
  );
}

/** An accepted /generate answers in the channel, not privately: wait for its job row. */
async function generateAccepted(userId: string, text: string): Promise<void> {
  const before = await jobCount();
  await s.driver.slashCommand({ command: '/generate', text, userId, channelId: CHANNEL });
  const deadline = Date.now() + 5_000;
  while ((await jobCount()) === before) {
    if (Date.now() > deadline) throw new Error('the job was not recorded');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const jobCount = async () => (await s.stack.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows[0]!.n;
const today = () => new Date().toISOString().slice(0, 10);

describe('GPU usage and quota in Slack', () => {
  test('/usage shows your own GPU time per UTC day, privately', async () => {
    await generateAccepted(MIKA, 'a castle at dawn');
    await spend(MIKA, 30_000, 'comfyui');
    const text = await command(MIKA, '', '/usage');
    expect(text).toMatch(/^\*Your GPU time\* — UTC days /);
    expect(text).toContain('Today: 30 s used; no daily quota.');
    expect(text).toContain(`• \`${today()}\` 30 s · 1 attempt (comfyui 30 s)`);
    expect(text.match(/^• `/gm)).toHaveLength(7);
    expect((await command(MIKA, 'days=2', '/usage')).match(/^• `/gm)).toHaveLength(2);
  });

  test("a member cannot read another member's or the workspace's usage; an admin can, and bad words get the usage line", async () => {
    expect(await command(SORA, `<@${MIKA}|mika>`, '/usage')).toMatch(/only admins may read another member's usage/);
    expect(await command(SORA, 'space', '/usage')).toMatch(/only admins/);
    const member = await command(OWNER, `<@${MIKA}|mika> days=1`, '/usage');
    expect(member).toMatch(new RegExp(`^\\*GPU time of user \`${MIKA}\`\\* — UTC days ${today()} to ${today()}`));
    expect(member).not.toContain('<@');
    expect(member).toContain('30 s · 1 attempt');
    expect(await command(OWNER, 'space days=1', '/usage')).toMatch(/^\*GPU time of this workspace\*[^]*Total: 30 s/);
    expect(await command(MIKA, 'days=500', '/usage')).toMatch(/I don't understand "days=500"\. Usage: `\/usage/);
  });

  test('/anime-config limits set gpu=N: over the quota a job is refused before it is queued with what is left and the reset; gpu=off for a role lifts it', async () => {
    expect(await command(OWNER, 'limits set gpu=1', '/anime-config')).toContain('GPU: 1 min/day');
    await spend(MIKA, 30_000, 'builtin');
    const before = await jobCount();
    const refused = await command(MIKA, 'one more castle', '/generate');
    const reset = Math.floor(Date.now() / 86_400_000 + 1) * 86_400;
    expect(refused).toBe(
      "You've used your GPU time for today: 1 min of 1 min, nothing left. " +
        `It resets at 00:00 UTC (<!date^${reset}^{date_short_pretty} {time}|${new Date(reset * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC>). \`/usage\` shows your day.`,
    );
    expect(await jobCount()).toBe(before);
    expect(await command(MIKA, '', '/usage')).toContain('Today: 1 min of 1 min used, *0 s left*. Resets at 00:00 UTC (<!date^');

    const lifted = await command(OWNER, 'limits set gpu=off role=creator', '/anime-config');
    expect(lifted).toContain('• creator: rate per minute: default, burst: default, jobs waiting: default, GPU: no quota');
    await generateAccepted(MIKA, 'one more castle');
    expect(await jobCount()).toBe(before + 1);
    expect(await command(OWNER, 'limits set gpu=ten', '/anime-config')).toMatch(/Write limits as/);
  });
});
