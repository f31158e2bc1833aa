import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Text Postgres cannot store (NUL; a lone UTF-16 surrogate, which has no UTF-8 form) in every text
 * field of every HTTP route: a 400 naming the field, and not one row changed.
 */
let stack: TestStack;
let mod: string;
let admin: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  [mod, admin] = await Promise.all([stack.token('mika', 'moderator'), stack.token('ada', 'admin')]);
  expect((await api(stack, 'POST', '/api/projects', mod, { name: 'Keep' })).status).toBe(201);
  expect((await api(stack, 'POST', '/api/characters', mod, { name: 'Aiko', prompt: 'girl, silver hair' })).status).toBe(201);
  // The admin's first request makes their user row; done here so the cases compare like with like.
  expect((await api(stack, 'GET', '/api/admin/settings', admin)).status).toBe(200);
});
afterAll(async () => {
  await stack.close();
});

/** Every row count and every stored text the routes below could change, in one comparable value. */
async function snapshot(): Promise<unknown> {
  const result = await stack.database.db.execute(sql`
    select (select count(*) from projects) as projects, (select count(*) from characters) as characters,
           (select count(*) from audit_log) as audit, (select count(*) from jobs) as jobs,
           (select count(*) from role_mappings) as roles, (select count(*) from channel_projects) as channels,
           (select count(*) from project_members) as members, (select count(*) from users) as users,
           (select string_agg(settings::text, ',' order by id) from spaces) as settings,
           (select string_agg(name || description || visibility, ',' order by id) from projects) as project_texts,
           (select string_agg(name || description || prompt_fragment || negative_fragment, ',' order by id) from characters) as character_texts`);
  return result.rows[0];
}

const JOB = '00000000-0000-4000-8000-000000000000';
const BAD = { nul: 'a\u0000b', surrogate: 'a\ud800b' };

type Case = { route: string; method: string; path: (bad: string) => string; token: () => string; body?: (bad: string) => unknown; field: string };

const body = (method: string, path: string, field: string, make: (bad: string) => unknown, token = () => mod): Case => ({ route: `${method} ${path}`, method, path: () => path, token, body: make, field });
const query = (path: string, param: string, field = param, extra = ''): Case => ({
  route: `GET ${path}?${param}=`,
  method: 'GET',
  path: (bad) => `${path}?${extra}${param}=${encodeURIComponent(bad.replace(/[\ud800-\udfff]/g, '\u0000'))}`,
  token: () => mod,
  field,
});

const cases: Case[] = [
  body('POST', '/api/anime/generate', 'prompt', (bad) => ({ prompt: bad })),
  body('POST', '/api/anime/generate', 'negative_prompt', (bad) => ({ prompt: 'x', negative_prompt: bad })),
  body('POST', '/api/anime/generate', 'project', (bad) => ({ prompt: 'x', project: bad })),
  body('POST', '/api/anime/generate', 'characters', (bad) => ({ prompt: 'x', characters: [bad] })),
  body('POST', '/api/projects', 'name', (bad) => ({ name: bad })),
  body('POST', '/api/projects', 'slug', (bad) => ({ name: 'x', slug: bad })),
  body('POST', '/api/projects', 'description', (bad) => ({ name: 'Fresh', description: bad })),
  body('POST', '/api/projects', 'visibility', (bad) => ({ name: 'Fresh', visibility: bad })),
  body('PATCH', '/api/projects/keep', 'name', (bad) => ({ name: bad })),
  body('PATCH', '/api/projects/keep', 'description', (bad) => ({ description: bad })),
  body('PATCH', '/api/projects/keep', 'visibility', (bad) => ({ visibility: bad })),
  body('POST', '/api/projects/keep/members', 'add', (bad) => ({ add: [bad] })),
  body('POST', '/api/projects/keep/members', 'remove', (bad) => ({ remove: [bad] })),
  body('PUT', '/api/channels/c1/project', 'project', (bad) => ({ project: bad })),
  body('POST', `/api/anime/generation/${JOB}/move`, 'project', (bad) => ({ project: bad })),
  body('POST', '/api/characters', 'name', (bad) => ({ name: bad, prompt: 'x' })),
  body('POST', '/api/characters', 'project', (bad) => ({ name: 'Ren', prompt: 'x', project: bad })),
  body('POST', '/api/characters', 'description', (bad) => ({ name: 'Ren', prompt: 'x', description: bad })),
  body('POST', '/api/characters', 'prompt', (bad) => ({ name: 'Ren', prompt: bad })),
  body('POST', '/api/characters', 'negative_prompt', (bad) => ({ name: 'Ren', prompt: 'x', negative_prompt: bad })),
  body('POST', '/api/characters', 'lora', (bad) => ({ name: 'Ren', prompt: 'x', lora: { name: bad } })),
  body('POST', '/api/characters', 'reference_image', (bad) => ({ name: 'Ren', prompt: 'x', reference_image: bad })),
  body('PATCH', '/api/characters/Aiko', 'name', (bad) => ({ name: bad })),
  body('PATCH', '/api/characters/Aiko', 'description', (bad) => ({ description: bad })),
  body('PATCH', '/api/characters/Aiko', 'prompt', (bad) => ({ prompt: bad })),
  body('PATCH', '/api/characters/Aiko', 'negative_prompt', (bad) => ({ negative_prompt: bad })),
  body('PATCH', '/api/characters/Aiko', 'lora', (bad) => ({ lora: { name: 'x.safetensors', weight: 1, [bad]: 1 } })),
  body('PUT', '/api/admin/roles', 'platform_role', (bad) => ({ platform_role: bad, role: 'creator' }), () => admin),
  body('PATCH', '/api/admin/settings', 'content', (bad) => ({ content: { blocklist: [bad] } }), () => admin),
  body('PATCH', '/api/admin/settings', 'content', (bad) => ({ content: { patterns: [bad] } }), () => admin),
  body('PATCH', '/api/admin/settings', 'content', (bad) => ({ content: { negativePrompt: bad } }), () => admin),
  body('PATCH', '/api/admin/settings', 'content', (bad) => ({ content: { nsfwChannels: [bad] } }), () => admin),
  body('PATCH', '/api/admin/settings', 'defaultRole', (bad) => ({ defaultRole: bad }), () => admin),
  body('POST', '/api/admin/tokens', 'user', (bad) => ({ user: bad }), () => admin),
  body('POST', '/api/admin/tokens', 'role', (bad) => ({ user: 'someone', role: bad }), () => admin),
  body('POST', '/api/gallery-link', 'project', (bad) => ({ project: bad })),
  // Query strings are percent-encoded UTF-8, which cannot carry a lone surrogate: NUL stands in for both.
  query('/api/search', 'q'),
  query('/api/search', 'character'),
  query('/api/search', 'user'),
  query('/api/search', 'project'),
  query('/api/search', 'kind'),
  query('/api/search', 'from'),
  query('/api/search', 'to'),
  query('/api/search', 'cursor', 'cursor', 'q=sea&'),
  query('/api/history', 'user'),
  query('/api/history', 'project'),
  query('/api/characters', 'project'),
];

describe('text the database cannot store: 400 naming the field, nothing changed', () => {
  const table = cases.flatMap((c) => Object.entries(BAD).map(([kind, bad]) => [`${c.route} ${c.field} (${kind})`, c, bad] as const));
  test.each(table)('%s', async (_name, c, bad) => {
    const before = await snapshot();
    const result = await api(stack, c.method, c.path(bad), c.token(), c.body?.(bad));
    expect(result.status, JSON.stringify(result.json)).toBe(400);
    expect(result.json.error.code).toMatch(/^invalid_/);
    expect(result.json.error.field).toMatch(new RegExp(`^${c.field}(\\.|$)`));
    expect(result.json.error.message).toContain(c.field);
    expect(await snapshot()).toEqual(before);
  });
});
