import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_SEARCH_LIMIT } from '../../src/core/gallery/gallery-service.js';
import { assets, jobs } from '../../src/db/schema.js';
import { api } from '../support/api.js';
import { createStubGenerator } from '../support/stub-generator.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { generateAndWait } from './projects-support.js';

let stack: TestStack;
let carl: string;
const ids: Record<string, string> = {};

/** Copies a finished job (row and files' rows) n times: enough rows to hit the cap without rendering each. */
async function copyJob(jobId: string, n: number): Promise<void> {
  const db = stack.database.db;
  const [job] = await db.select().from(jobs).where(eq(jobs.id, jobId));
  const files = await db.select().from(assets).where(eq(assets.jobId, jobId));
  const { searchVector: _generated, ...columns } = job!;
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await db.insert(jobs).values({ ...columns, id });
    await db.insert(assets).values(files.map((f) => ({ ...f, id: randomUUID(), jobId: id, storageKey: `${f.storageKey}.copy-${id}` })));
  }
}

beforeAll(async () => {
  stack = await startTestStack({ worker: { generator: await createStubGenerator() }, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000', MAX_PENDING_PER_USER: '50' } });
  carl = await stack.token('carl', 'creator');
  for (const prompt of ['cherry blossoms at dawn', 'a cat on a roof', 'running dogs', 'filler scene']) {
    ids[prompt] = (await generateAndWait(stack, carl, { prompt })).job_id;
  }
  await copyJob(ids['filler scene']!, MAX_SEARCH_LIMIT + 5);
});
afterAll(async () => {
  await stack.close();
});

const search = (query: string) => api(stack, 'GET', `/api/search?${query}`, carl);
const found = async (q: string) => {
  const result = await search(`q=${encodeURIComponent(q)}`);
  expect(result.status, JSON.stringify(result.json)).toBe(200);
  return result.json.items.map((i: { job_id: string }) => i.job_id);
};

describe('search matches prefixes and plurals', () => {
  test('a word finds its plural and a plural its singular', async () => {
    expect(await found('blossom')).toEqual([ids['cherry blossoms at dawn']]);
    expect(await found('cats')).toEqual([ids['a cat on a roof']]);
    expect(await found('dog')).toEqual([ids['running dogs']]);
    expect(await found('run')).toEqual([ids['running dogs']]);
  });

  test('the start of a word is enough, and words still combine', async () => {
    expect(await found('cher')).toEqual([ids['cherry blossoms at dawn']]);
    expect(await found('cherry blossom')).toEqual([ids['cherry blossoms at dawn']]);
    expect(await found('cherry -blossom')).toEqual([]);
    expect(await found('cat or blossom')).toEqual([ids['a cat on a roof'], ids['cherry blossoms at dawn']]);
    expect(await found('"cherry blossom"')).toEqual([ids['cherry blossoms at dawn']]);
    expect(await found('"blossom cherry"')).toEqual([]);
  });
});

describe('limit', () => {
  test('limit=3 returns 3 and a cursor to the rest', async () => {
    const result = await search('q=filler&limit=3');
    expect(result.json.items).toHaveLength(3);
    expect(result.json.next_cursor).toEqual(expect.any(String));
    const next = await search(`q=filler&limit=3&cursor=${encodeURIComponent(result.json.next_cursor)}`);
    expect(next.json.items).toHaveLength(3);
    expect(next.json.items[0].job_id).not.toBe(result.json.items[0].job_id);
  });

  test(`a limit above the cap returns ${MAX_SEARCH_LIMIT}`, async () => {
    const result = await search('q=filler&limit=100000');
    expect(result.status).toBe(200);
    expect(result.json.items).toHaveLength(MAX_SEARCH_LIMIT);
    expect(result.json.next_cursor).toEqual(expect.any(String));
  });

  test('history honours limit too', async () => {
    expect((await api(stack, 'GET', '/api/history?limit=2', carl)).json.items).toHaveLength(2);
  });

  test.each(['0', '-1', 'ten', '2.5'])('limit=%s is refused naming limit', async (limit) => {
    const result = await search(`q=filler&limit=${encodeURIComponent(limit)}`);
    expect(result.status).toBe(400);
    expect(result.json.error.field).toBe('limit');
  });
});

describe('tsquery syntax in q is only text', () => {
  test.each(["cat & blossom", 'cat | dog', '!cat', 'cat:*', 'cat:A', '(cat', 'cat)', "cat'", 'cat\\', 'cat <-> roof', "'; drop table jobs; --", 'cat <2> roof'])('%s', async (q) => {
    const result = await search(`q=${encodeURIComponent(q)}`);
    expect(result.status, JSON.stringify(result.json)).toBe(200);
    expect(Array.isArray(result.json.items)).toBe(true);
  });

  test('operators alone ask for a word', async () => {
    const result = await search(`q=${encodeURIComponent('& | ! : * ( )')}`);
    expect(result.status).toBe(400);
    expect(result.json.error.field).toBe('q');
  });

  test('operators do not act: "cat | dog" needs both words, "!cat" finds the cat', async () => {
    expect(await found('cat | dog')).toEqual([]);
    expect(await found('!cat')).toEqual([ids['a cat on a roof']]);
  });
});
