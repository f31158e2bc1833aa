import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

const CHANNEL = 'C0ACCESS01';
const OWNER = 'U0OWNER001';
const GUEST = 'U0GUEST001';
const VIEWER = 'U0VIEWER01';
const MIKA = 'U0MIKA0001';
const SORA = 'U0SORA0001';
const VIEWERS = 'S0VIEWERS1';
const MUTED = 'S0MUTED001';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack({
    fake: {
      teamId: 'T0ACCESS01',
      users: [
        { id: OWNER, name: 'owner', is_owner: true, is_admin: true },
        { id: GUEST, name: 'guest', is_restricted: true },
        { id: VIEWER, name: 'viewer' },
        { id: MIKA, name: 'mika' },
        { id: SORA, name: 'sora' },
      ],
      usergroups: { [VIEWERS]: [VIEWER], [MUTED]: [SORA] },
      channels: [{ id: CHANNEL, name: 'access' }],
    },
    // One job a minute and no burst: the second request of a user is over the limit.
    env: { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '0' },
    worker: false,
  });
});
afterAll(async () => {
  await s?.close();
  expect(s?.fake.internalErrors ?? []).toEqual([]);
});

/** Runs a command and returns the ephemeral answer posted to its response_url. */
async function command(userId: string, text: string, name = '/generate'): Promise<{ status: number; answer: string }> {
  const res = await s.driver.slashCommand({ command: name, text, userId, channelId: CHANNEL });
  const post = await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === res.responseUrl)?.posts[0]);
  expect(post.body.response_type).toBe('ephemeral');
  return { status: res.status, answer: String(post.body.text) };
}

async function queuedJobs(): Promise<number> {
  const { rows } = await s.stack.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs');
  return rows[0]!.n;
}

const channelMessages = () => s.fake.messages(CHANNEL).length;

describe('who may generate in Slack', () => {
  test('a guest is refused privately, and told why', async () => {
    const { status, answer } = await command(GUEST, 'a castle');
    expect(status).toBe(200);
    expect(answer).toMatch(/role .* does not allow generating images/);
    expect(channelMessages()).toBe(0);
    expect(await queuedJobs()).toBe(0);
  });

  test('a user group mapped to viewer is refused', async () => {
    const set = await command(OWNER, `roles set <!subteam^${VIEWERS}|@viewers> viewer`, '/anime-config');
    expect(set.answer).toContain(`\`${VIEWERS}\` are now viewers`);
    const { answer } = await command(VIEWER, 'a castle');
    expect(answer).toMatch(/does not allow generating images/);
    expect(await queuedJobs()).toBe(0);
  });

  test('over the limit: the second request in a minute is refused with the wait', async () => {
    await s.driver.slashCommand({ text: 'a first castle', userId: MIKA, channelId: CHANNEL });
    await s.fake.waitFor(() => s.fake.messages(CHANNEL).find((m) => m.text.includes('a first castle')));
    const { answer } = await command(MIKA, 'a second castle');
    expect(answer).toMatch(/too fast\. Try again in \d+ seconds/);
    expect(await queuedJobs()).toBe(1);
  });

  test('an admin changes a role mapping and the very next request obeys it', async () => {
    // Sora's first request primes the caches (users.info, group members) as a creator by default...
    const res = await s.driver.slashCommand({ text: 'a quiet harbour', userId: SORA, channelId: CHANNEL });
    await s.fake.waitFor(() => s.fake.messages(CHANNEL).find((m) => m.text.includes('a quiet harbour')));
    expect(res.status).toBe(200);
    // ...then the admin maps Sora's group to viewer: the next request is refused for the role, not the rate.
    await command(OWNER, `roles set ${MUTED} viewer`, '/anime-config');
    const { answer } = await command(SORA, 'another harbour');
    expect(answer).toMatch(/does not allow generating images/);
    const listed = await command(OWNER, 'roles', '/anime-config');
    expect(listed.answer).toContain(`\`${MUTED}\` → viewer`);
  });

  test('a non-admin cannot change settings; an admin can read limits and issue a token', async () => {
    expect((await command(MIKA, `roles set ${MUTED} admin`, '/anime-config')).answer).toMatch(/only admins/);
    expect((await command(OWNER, 'limits set rate=5 burst=2', '/anime-config')).answer).toMatch(/rate per minute: 5, burst: 2/);
    const token = await command(OWNER, `<@${MIKA}|mika> creator 7`, '/anime-token');
    expect(token.answer).toMatch(/API token for `U0MIKA0001` as creator/);
    expect((await command(MIKA, `<@${SORA}> admin`, '/anime-token')).answer).toMatch(/only admins/);
  });
});

describe('request signing', () => {
  test('a forged signature and a stale timestamp get 401 and nothing is queued', async () => {
    const before = await queuedJobs();
    const forged = await s.driver.slashCommand({ text: 'forged castle', userId: OWNER, channelId: CHANNEL }, { forgeSignature: true });
    const stale = await s.driver.slashCommand({ text: 'stale castle', userId: OWNER, channelId: CHANNEL }, { staleTimestamp: true });
    const unsigned = await fetch(`${s.stack.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"url_verification","challenge":"x"}' });
    expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(forged.body).toBe('');
    expect(await queuedJobs()).toBe(before);
    expect(s.fake.responseUrls.find((r) => r.url === forged.responseUrl)?.posts).toEqual([]);
    expect(s.fake.callsTo('users.info').length).toBeGreaterThan(0);
  });

  test('url_verification answers the challenge; other routes still parse JSON', async () => {
    const res = await s.driver.urlVerification('challenge-abc');
    expect(res).toMatchObject({ status: 200, json: { challenge: 'challenge-abc' } });
    const health = await fetch(`${s.stack.baseUrl}/health`);
    expect(health.status).toBeLessThan(500);
  });
});
