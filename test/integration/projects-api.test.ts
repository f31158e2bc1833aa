import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createStubGenerator } from '../support/stub-generator.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { api } from '../support/api.js';
import { generateAndWait } from './projects-support.js';

let stack: TestStack;
let mod: string;
let creator: string;
let admin: string;
beforeAll(async () => {
  stack = await startTestStack({ worker: { generator: await createStubGenerator() }, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000', MAX_PENDING_PER_USER: '50' } });
  [mod, creator, admin] = await Promise.all([stack.token('mika', 'moderator'), stack.token('carl', 'creator'), stack.token('ada', 'admin')]);
});
afterAll(async () => {
  await stack.close();
});

const exists = (path: string) => access(path).then(() => true, () => false);

describe('projects through the API', () => {
  test('create, list, rename, describe, visibility, info, archive', async () => {
    expect((await api(stack, 'POST', '/api/projects', creator, { name: 'Nope' })).status).toBe(403);
    const created = await api(stack, 'POST', '/api/projects', mod, { name: 'Summer Festival', description: 'Posters' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ slug: 'summer-festival', name: 'Summer Festival', visibility: 'space', public_url: null, archived: false });
    expect((await api(stack, 'POST', '/api/projects', mod, { name: 'Other', slug: 'summer-festival' })).json.error.code).toBe('conflict');
    expect((await api(stack, 'POST', '/api/projects', mod, { name: 'x', visibility: 'secret' })).json.error.field).toBe('visibility');

    const listed = await api(stack, 'GET', '/api/projects', creator);
    expect(listed.json.projects.map((p: { slug: string }) => p.slug)).toEqual(['general', 'summer-festival']);
    expect(listed.json.projects[0].is_default).toBe(true);

    const renamed = await api(stack, 'PATCH', '/api/projects/summer-festival', mod, { name: 'Summer Fest 2025', description: 'Posters and clips' });
    expect(renamed.json).toMatchObject({ slug: 'summer-festival', name: 'Summer Fest 2025', description: 'Posters and clips' });
    expect((await api(stack, 'PATCH', '/api/projects/summer-festival', creator, { name: 'x' })).status).toBe(403);

    const shared = await api(stack, 'PATCH', '/api/projects/summer-festival', mod, { visibility: 'public' });
    expect(shared.json.public_url).toMatch(new RegExp(`^${stack.baseUrl}/gallery/public/[A-Za-z0-9_-]{32}$`));
    const hidden = await api(stack, 'PATCH', '/api/projects/summer-festival', mod, { visibility: 'space' });
    expect(hidden.json.public_url).toBeNull();

    const info = await api(stack, 'GET', '/api/projects/summer-festival', creator);
    expect(info.json).toMatchObject({ slug: 'summer-festival', images: 0, members: [], channels: [] });
    expect(info.json.gallery_url).toContain('/p/summer-festival?pass=');

    expect((await api(stack, 'POST', '/api/projects/general/archive', mod)).json.error).toMatchObject({ code: 'conflict', message: 'the default project cannot be archived' });
    expect((await api(stack, 'POST', '/api/projects/summer-festival/archive', creator)).status).toBe(403);
    expect((await api(stack, 'POST', '/api/projects/summer-festival/archive', mod)).json.archived).toBe(true);
    expect((await api(stack, 'GET', '/api/projects', creator)).json.projects).toHaveLength(1);
    expect((await api(stack, 'GET', '/api/projects?archived=true', creator)).json.projects).toHaveLength(2);
    // An archived project takes no new images.
    expect((await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a cat', project: 'summer-festival' })).status).toBe(404);

    const audit = await api(stack, 'GET', '/api/admin/audit', admin);
    const actions = audit.json.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['project.created', 'project.updated', 'project.archived']));
  });

  test('a channel default (use) decides where an image goes when none is named', async () => {
    await api(stack, 'POST', '/api/projects', mod, { name: 'Channel Work' });
    expect((await api(stack, 'PUT', '/api/channels/web/project', creator, { project: 'channel-work' })).status).toBe(403);
    expect((await api(stack, 'PUT', '/api/channels/web/project', mod, { project: 'channel-work' })).json).toEqual({ channel: 'web', project: 'channel-work' });
    const done = await generateAndWait(stack, creator, { prompt: 'a dragon over mountains' });
    expect(done.project).toBe('channel-work');
    expect((await api(stack, 'GET', '/api/projects/channel-work', creator)).json).toMatchObject({ images: 1, channels: ['web'] });
    await api(stack, 'PUT', '/api/channels/web/project', mod, { project: 'general' });
  });

  test('moving an image moves its files and records together', async () => {
    await api(stack, 'POST', '/api/projects', mod, { name: 'Keepers' });
    const done = await generateAndWait(stack, creator, { prompt: 'a robot in the rain', project: 'general' });
    const jobId = done.job_id as string;
    const media = join(stack.dataDir, 'media');
    const day = (done.created_at as string).slice(0, 10);
    expect(await exists(join(media, 'general', day, `${jobId}-0.png`))).toBe(true);

    expect((await api(stack, 'POST', `/api/anime/generation/${jobId}/move`, creator, { project: 'keepers' })).status).toBe(403);
    expect((await api(stack, 'POST', `/api/anime/generation/${jobId}/move`, mod, { project: 'nowhere' })).status).toBe(404);
    const moved = await api(stack, 'POST', `/api/anime/generation/${jobId}/move`, mod, { project: 'keepers' });
    expect(moved.json).toEqual({ job_id: jobId, from: 'general', project: 'keepers', files: 3 });

    for (const file of [`${jobId}-0.png`, `${jobId}-0.webp`, `${jobId}-0.thumb.webp`]) {
      expect(await exists(join(media, 'keepers', day, file))).toBe(true);
      expect(await exists(join(media, 'general', day, file))).toBe(false);
    }
    const after = await api(stack, 'GET', `/api/anime/generation/${jobId}/status`, creator);
    expect(after.json.project).toBe('keepers');
    const image = await fetch(after.json.images[0].url);
    expect(image.status).toBe(200);
    expect((await api(stack, 'POST', `/api/anime/generation/${jobId}/move`, mod, { project: 'keepers' })).json.error.code).toBe('conflict');
  });

  test('members of a private project', async () => {
    await api(stack, 'POST', '/api/projects', mod, { name: 'Secret', visibility: 'private' });
    expect((await api(stack, 'GET', '/api/projects/secret', creator)).status).toBe(404);
    expect((await api(stack, 'POST', '/api/projects/secret/members', mod, { add: ['carl', 'dora'] })).json).toEqual({ added: 2, removed: 0 });
    const info = await api(stack, 'GET', '/api/projects/secret', creator);
    expect(info.status).toBe(200);
    expect(info.json.members.map((m: { user: string }) => m.user)).toEqual(['carl', 'dora']);
    expect((await api(stack, 'POST', '/api/projects/secret/members', mod, { remove: ['carl'] })).json).toEqual({ added: 0, removed: 1 });
    expect((await api(stack, 'GET', '/api/projects/secret', creator)).status).toBe(404);
    expect((await api(stack, 'POST', '/api/projects/secret/members', mod, { add: 'carl' })).status).toBe(400);
  });
});
