import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { api } from '../support/api.js';

/**
 * A name an API token's issuer chose belongs to the issuing space: two spaces that each mint "aiko"
 * get two people (slots, jobs, memberships). Chat identities follow the same rule (docs/decisions.md):
 * one Discord user in two guilds has each guild's limits, and a guild's token for them is them in
 * that guild only. No worker runs, so every admitted job stays pending and holds its slot.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: { MAX_PENDING_PER_USER: '1', RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000' } });
});
afterAll(async () => {
  await stack.close();
});

const generate = (token: string, prompt: string) => api(stack, 'POST', '/api/anime/generate', token, { prompt, width: 64, height: 64, steps: 1 });

describe('token names are per issuing space', () => {
  test('two spaces\' "aiko" share no slots, no jobs and no project membership', async () => {
    const webAiko = await stack.token('aiko', 'creator', 'web');
    const otherAiko = await stack.token('aiko', 'creator', 'other');
    const theirs = await generate(otherAiko, 'a cat from the other space');
    expect(theirs.status).toBe(202);
    // The other space's aiko holds one pending slot; the web's aiko still has its own.
    const mine = await generate(webAiko, 'a cat from the web');
    expect(mine.status, JSON.stringify(mine.json)).toBe(202);
    expect((await generate(webAiko, 'one more')).json.error.code).toBe('too_many_pending');

    const jobsOf = async (token: string) => (await api(stack, 'GET', '/api/anime/jobs', token)).json.jobs.map((j: { job_id: string }) => j.job_id);
    expect(await jobsOf(webAiko)).toEqual([mine.json.job_id]);
    expect(await jobsOf(otherAiko)).toEqual([theirs.json.job_id]);
    expect((await api(stack, 'GET', `/api/anime/generation/${theirs.json.job_id}/status`, webAiko)).status).toBe(404);

    // A private project of the other space lists its aiko; that membership is not the web aiko's.
    const otherMod = await stack.token('oz', 'moderator', 'other');
    await api(stack, 'POST', '/api/projects', otherMod, { name: 'Vault', visibility: 'private' });
    await api(stack, 'POST', '/api/projects/vault/members', otherMod, { add: ['aiko'] });
    expect((await api(stack, 'GET', '/api/projects/vault', otherAiko)).status).toBe(200);
    const webMod = await stack.token('mika', 'moderator', 'web');
    await api(stack, 'POST', '/api/projects', webMod, { name: 'Vault', visibility: 'private' });
    expect((await api(stack, 'GET', '/api/projects/vault', webAiko)).status).toBe(404);
    await api(stack, 'POST', '/api/projects/vault/members', webMod, { add: ['aiko'] });
    expect((await api(stack, 'GET', '/api/projects/vault', webAiko)).status).toBe(200);
    await api(stack, 'POST', '/api/projects/vault/members', otherMod, { remove: ['aiko'] });
    expect((await api(stack, 'GET', '/api/projects/vault', otherAiko)).status).toBe(404);
    expect((await api(stack, 'GET', '/api/projects/vault', webAiko)).status).toBe(200);
  });
});

describe('chat identities: limits per space', () => {
  const discord = (guild: string, user: string): Actor => ({ platform: 'discord', spaceExternalId: guild, userExternalId: user, displayName: 'ren', platformRoles: [], isPlatformAdmin: false, channel: { id: `${guild}-general`, nsfw: false } });

  test('one Discord user in two guilds has each guild\'s slots; a guild\'s token for them is them in that guild only', async () => {
    const ren = '300000000000000001';
    const inFirst = await stack.runtime.service.submit(discord('100000000000000001', ren), { prompt: 'a fox', width: 64, height: 64, steps: 1 });
    expect(inFirst.ok).toBe(true);
    const inSecond = await stack.runtime.service.submit(discord('200000000000000002', ren), { prompt: 'a fox', width: 64, height: 64, steps: 1 });
    expect(inSecond.ok).toBe(true);
    expect(await stack.runtime.service.submit(discord('100000000000000001', ren), { prompt: 'a fox', width: 64, height: 64, steps: 1 })).toMatchObject({ ok: false, code: 'too_many_pending' });

    // A token the second guild's admin made for ren shares ren's second-guild slot (full), and its
    // jobs are ren's there; the first guild's are not in reach.
    const issued = await stack.runtime.tokens.issue({ subject: ren, platform: 'discord', space: '200000000000000002', role: 'creator', ttlSeconds: 600, issuedBy: 'test' });
    expect((await generate(issued.token, 'a fox over HTTP')).json.error.code).toBe('too_many_pending');
    const listed = (await api(stack, 'GET', '/api/anime/jobs', issued.token)).json.jobs.map((j: { job_id: string }) => j.job_id);
    expect(listed).toEqual([inSecond.ok && inSecond.value.job.id]);
  });
});
