import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { createStubGenerator } from '../support/stub-generator.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { api } from '../support/api.js';
import { generateAndWait } from './projects-support.js';

let stack: TestStack;
let mod: string;
let carl: string;
const made: Array<{ id: string; prompt: string }> = [];

beforeAll(async () => {
  stack = await startTestStack({ worker: { generator: await createStubGenerator() }, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000', MAX_PENDING_PER_USER: '50' } });
  [mod, carl] = await Promise.all([stack.token('mika', 'moderator'), stack.token('carl', 'creator')]);
  await api(stack, 'POST', '/api/characters', mod, { name: 'Aiko', prompt: 'girl, silver hair' });
  const requests = [
    { token: mod, body: { prompt: 'sunset over the sea' } },
    { token: carl, body: { prompt: 'walking in the rain', characters: ['Aiko'] } },
    { token: carl, body: { prompt: 'a dragon over the sea', type: 'video' } },
    { token: mod, body: { prompt: 'tea party', characters: ['Aiko'] } },
    { token: carl, body: { prompt: 'the sea at night' } },
  ];
  for (const [i, r] of requests.entries()) {
    const done = await generateAndWait(stack, r.token, r.body);
    made.push({ id: done.job_id, prompt: done.prompt });
    // Spread them over days (oldest first) so date filters have something to cut.
    await stack.database.db.update(jobs).set({ createdAt: sql`timestamptz '2025-06-01T12:00:00Z' + ${i} * interval '1 day'` }).where(eq(jobs.id, done.job_id));
  }
});
afterAll(async () => {
  await stack.close();
});

const ids = async (query: string) => {
  const result = await api(stack, 'GET', `/api/search?${query}`, carl);
  expect(result.status, JSON.stringify(result.json)).toBe(200);
  return result.json.items.map((i: { job_id: string }) => i.job_id);
};
const idsOf = (...indexes: number[]) => indexes.map((i) => made[i]!.id);

describe('search', () => {
  test('full text over the prompt sent, newest first', async () => {
    expect(await ids('q=sea')).toEqual(idsOf(4, 2, 0));
    expect(await ids('q=sea%20-dragon')).toEqual(idsOf(4, 0));
    expect(await ids('q=%22over%20the%20sea%22')).toEqual(idsOf(2, 0));
    // Character fragments are part of the prompt sent, and character names are searchable too.
    expect(await ids('q=silver')).toEqual(idsOf(3, 1));
    expect(await ids('q=aiko')).toEqual(idsOf(3, 1));
  });

  test('filters: character, user, date range, kind, project', async () => {
    expect(await ids('character=aiko')).toEqual(idsOf(3, 1));
    expect(await ids('q=rain&character=Aiko')).toEqual(idsOf(1));
    expect(await ids('user=carl')).toEqual(idsOf(4, 2, 1));
    expect(await ids('from=2025-06-02&to=2025-06-04')).toEqual(idsOf(3, 2, 1));
    expect(await ids('kind=video')).toEqual(idsOf(2));
    expect(await ids('q=sea&project=general&user=mika')).toEqual(idsOf(0));
    expect((await api(stack, 'GET', '/api/search?character=Nobody', carl)).json.error).toMatchObject({ code: 'not_found', field: 'character' });
    expect((await api(stack, 'GET', '/api/search', carl)).status).toBe(400);
    expect((await api(stack, 'GET', '/api/search?q=sea&cursor=nope', carl)).json.error.field).toBe('cursor');
  });

  test('keyset pages walk everything once, newest first, with ties on created_at broken by id', async () => {
    // Two jobs at the very same microsecond: the id decides, and neither is lost between pages.
    await stack.database.db.update(jobs).set({ createdAt: sql`timestamptz '2025-06-02T12:00:00Z'` }).where(eq(jobs.id, made[0]!.id));
    const viewer = await stack.runtime.service.identify({ platform: 'web', spaceExternalId: 'web', userExternalId: 'carl', platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await stack.runtime.gallery.search(viewer, {}, cursor, 2);
      if (!result.ok) throw new Error(JSON.stringify(result));
      seen.push(...result.value.items.map((i) => i.jobId));
      cursor = result.value.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const tied = [made[0]!.id, made[1]!.id].sort().reverse();
    expect(seen.slice(-2)).toEqual(tied);
  });

  test('history for chat: a user\'s newest images', async () => {
    const history = await api(stack, 'GET', '/api/history?user=mika', carl);
    expect(history.json.items.map((i: { job_id: string }) => i.job_id)).toEqual(idsOf(3, 0));
    expect(history.json.items[0]).toMatchObject({ project: 'general', user: 'mika', characters: ['Aiko'], outputs: 1 });
    expect(history.json.items[0].thumbnail_url).toMatch(/\/media\/[0-9a-f-]{36}\?exp=\d+&sig=/);
    expect(history.json.next_cursor).toBeNull();
  });
});
