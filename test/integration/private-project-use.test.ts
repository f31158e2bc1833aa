import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import type { Role } from '../../src/core/roles.js';
import { createStubGenerator } from '../support/stub-generator.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { api } from '../support/api.js';
import { generateAndWait } from './projects-support.js';

/**
 * Every path that names a project or a character, for a creator who is not a member of a private
 * project: it answers exactly as for a project (or character) that does not exist, and its secrets
 * (the character's prompt fragment) never reach the job. Space "web": vault (private, member dora)
 * with the character Shade; space "other": a moderator who must not reach into "web".
 */
let stack: TestStack;
const tokens = {} as Record<'mod' | 'carl' | 'dora' | 'oz', string>;
let doraJob = '';
const SECRET = 'SECRETFRAGMENT';

beforeAll(async () => {
  stack = await startTestStack({
    worker: { generator: await createStubGenerator() },
    env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000', MAX_PENDING_PER_USER: '50' },
  });
  tokens.mod = await stack.token('mika', 'moderator');
  tokens.carl = await stack.token('carl', 'creator');
  tokens.dora = await stack.token('dora', 'creator');
  tokens.oz = await stack.token('oz', 'moderator', 'other');
  expect((await api(stack, 'POST', '/api/projects', tokens.mod, { name: 'Vault', visibility: 'private' })).status).toBe(201);
  await api(stack, 'POST', '/api/projects/vault/members', tokens.mod, { add: ['dora'] });
  expect((await api(stack, 'POST', '/api/characters', tokens.mod, { name: 'Shade', project: 'vault', prompt: `${SECRET} girl` })).status).toBe(201);
  doraJob = (await generateAndWait(stack, tokens.dora, { prompt: 'a walk at night', project: 'vault', characters: ['Shade'] })).job_id;
});
afterAll(async () => {
  await stack.close();
});

/** The error a hidden name gets must equal the one an unknown name gets, the name aside. */
function sameAsUnknown(hidden: { status: number; json: Record<string, unknown> }, unknown: { status: number; json: Record<string, unknown> }, hiddenName: string, unknownName: string) {
  expect(hidden.status).toBe(unknown.status);
  expect(JSON.stringify(hidden.json).replaceAll(hiddenName, '<name>')).toBe(JSON.stringify(unknown.json).replaceAll(unknownName, '<name>'));
  expect(JSON.stringify(hidden.json)).not.toContain(SECRET);
}

function webActor(user: string, role: Role, channel = 'web'): Actor {
  return { platform: 'web', spaceExternalId: 'web', userExternalId: user, displayName: user, platformRoles: [], isPlatformAdmin: false, grantedRole: role, channel: { id: channel, nsfw: false } };
}

describe('a private project one is not a member of reads like a missing one', () => {
  test('generate into it: 404 like an unknown slug, nothing queued', async () => {
    const before = (await api(stack, 'GET', '/api/anime/jobs', tokens.carl)).json.jobs.length;
    const hidden = await api(stack, 'POST', '/api/anime/generate', tokens.carl, { prompt: 'a cat', project: 'vault' });
    const unknown = await api(stack, 'POST', '/api/anime/generate', tokens.carl, { prompt: 'a cat', project: 'no-such' });
    expect(hidden.status).toBe(404);
    sameAsUnknown(hidden, unknown, 'vault', 'no-such');
    expect((await api(stack, 'GET', '/api/anime/jobs', tokens.carl)).json.jobs).toHaveLength(before);
  });

  test('its characters: unusable in generate and unreadable, like unknown ones; the member still uses them', async () => {
    const hidden = await api(stack, 'POST', '/api/anime/generate', tokens.carl, { prompt: 'a cat', characters: ['Shade'] });
    const unknown = await api(stack, 'POST', '/api/anime/generate', tokens.carl, { prompt: 'a cat', characters: ['Ghost'] });
    expect(hidden.status).toBe(400);
    sameAsUnknown(hidden, unknown, 'Shade', 'Ghost');
    // Named together with its project, the character must not come back in a job (its fragment is secret).
    const withProject = await api(stack, 'POST', '/api/anime/generate', tokens.carl, { prompt: 'a cat', project: 'vault', characters: ['Shade'] });
    sameAsUnknown(withProject, await api(stack, 'POST', '/api/anime/generate', tokens.carl, { prompt: 'a cat', project: 'no-such', characters: ['Shade'] }), 'vault', 'no-such');
    sameAsUnknown(
      await api(stack, 'GET', '/api/characters/Shade?project=vault', tokens.carl),
      await api(stack, 'GET', '/api/characters/Shade?project=no-such', tokens.carl),
      'vault',
      'no-such',
    );
    sameAsUnknown(await api(stack, 'GET', '/api/characters/Shade', tokens.carl), await api(stack, 'GET', '/api/characters/Ghost', tokens.carl), 'Shade', 'Ghost');
    const listed = await api(stack, 'GET', '/api/characters', tokens.carl);
    expect(listed.json.characters.map((c: { name: string }) => c.name)).not.toContain('Shade');
    const status = await api(stack, 'GET', `/api/anime/generation/${doraJob}/status`, tokens.dora);
    expect(status.json.prompt).toContain(SECRET);
  });

  test('search and history: 404 like an unknown project, and its images never listed', async () => {
    sameAsUnknown(
      await api(stack, 'GET', '/api/search?q=walk&project=vault', tokens.carl),
      await api(stack, 'GET', '/api/search?q=walk&project=no-such', tokens.carl),
      'vault',
      'no-such',
    );
    sameAsUnknown(
      await api(stack, 'GET', '/api/history?project=vault', tokens.carl),
      await api(stack, 'GET', '/api/history?project=no-such', tokens.carl),
      'vault',
      'no-such',
    );
    expect((await api(stack, 'GET', '/api/search?q=walk', tokens.carl)).json.items).toEqual([]);
    expect((await api(stack, 'GET', '/api/search?q=walk', tokens.dora)).json.items.map((i: { job_id: string }) => i.job_id)).toEqual([doraJob]);
  });

  test('move: a moderator of another space can neither move the image nor find the project', async () => {
    const hidden = await api(stack, 'POST', `/api/anime/generation/${doraJob}/move`, tokens.oz, { project: 'general' });
    expect(hidden.status).toBe(404);
    expect(hidden.json).toEqual((await api(stack, 'POST', `/api/anime/generation/${randomUUID()}/move`, tokens.oz, { project: 'general' })).json);
    const carls = await generateAndWait(stack, tokens.carl, { prompt: 'a plain cat' });
    sameAsUnknown(
      await api(stack, 'POST', `/api/anime/generation/${carls.job_id}/move`, tokens.oz, { project: 'vault' }),
      await api(stack, 'POST', `/api/anime/generation/${carls.job_id}/move`, tokens.oz, { project: 'no-such' }),
      'vault',
      'no-such',
    );
  });

  test('re-roll of a job in it: "no such job", like a job that does not exist; the member may re-roll', async () => {
    const hidden = await stack.runtime.service.reroll(webActor('carl', 'creator'), doraJob);
    const unknown = await stack.runtime.service.reroll(webActor('carl', 'creator'), randomUUID());
    expect(hidden).toEqual(unknown);
    expect(hidden).toMatchObject({ ok: false, code: 'not_found' });
    const again = await stack.runtime.service.reroll(webActor('dora', 'creator'), doraJob);
    expect(again.ok && again.value.job.projectSlug).toBe('vault');
  });

  test('a channel whose default is the private project: a non-member generates into the space default', async () => {
    expect((await api(stack, 'PUT', '/api/channels/studio/project', tokens.mod, { project: 'vault' })).status).toBe(200);
    const carls = await stack.runtime.service.submit(webActor('carl', 'creator', 'studio'), { prompt: 'a dog' });
    expect(carls.ok && carls.value.job.projectSlug).toBe('general');
    const doras = await stack.runtime.service.submit(webActor('dora', 'creator', 'studio'), { prompt: 'a dog' });
    expect(doras.ok && doras.value.job.projectSlug).toBe('vault');
  });
});

describe('what chat autocomplete and Slack flags read', () => {
  test('project and character candidates leave the private project and its characters out', async () => {
    const carl = await stack.runtime.service.identify(webActor('carl', 'creator'));
    const dora = await stack.runtime.service.identify(webActor('dora', 'creator'));
    expect((await stack.runtime.gallery.projects(carl)).map((p) => p.slug)).not.toContain('vault');
    expect((await stack.runtime.gallery.projects(dora)).map((p) => p.slug)).toContain('vault');
    const hidden = await stack.runtime.characters.list(carl, { project: 'vault' });
    const unknown = await stack.runtime.characters.list(carl, { project: 'no-such' });
    expect(hidden.ok).toBe(false);
    expect(JSON.stringify(hidden).replace('vault', '<name>')).toBe(JSON.stringify(unknown).replace('no-such', '<name>'));
    const everything = await stack.runtime.characters.list(carl);
    expect(everything.ok && everything.value.map((c) => c.name)).not.toContain('Shade');
  });
});
