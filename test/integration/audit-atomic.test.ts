import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '../support/api.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * An audited change and its audit row commit together: with every audit insert failing (a trigger
 * in this file's own database), each change answers 500 and leaves nothing behind.
 */
let stack: TestStack;
let mod: string;
let admin: string;
let queuedJob: string;
let revocable: string;

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  [mod, admin] = await Promise.all([stack.token('mika', 'moderator'), stack.token('ada', 'admin')]);
  expect((await api(stack, 'POST', '/api/projects', mod, { name: 'Keep' })).status).toBe(201);
  expect((await api(stack, 'POST', '/api/characters', mod, { name: 'Aiko', prompt: 'girl, silver hair' })).status).toBe(201);
  // The admin's first request makes their user row; done here so the cases compare like with like.
  expect((await api(stack, 'GET', '/api/admin/settings', admin)).status).toBe(200);
  // No worker here: the job stays queued, so cancelling it is a change.
  const submitted = await api(stack, 'POST', '/api/anime/generate', mod, { prompt: 'a quiet lake' });
  expect(submitted.status).toBe(202);
  queuedJob = submitted.json.job_id;
  const issued = await api(stack, 'POST', '/api/admin/tokens', admin, { user: 'temp', role: 'viewer', days: 1 });
  expect(issued.status).toBe(201);
  revocable = issued.json.token_id;
  await stack.database.db.execute(sql.raw(`
    create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit insert refused by the test'; end $$;
    create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit();`));
});
afterAll(async () => {
  await stack.close();
});

async function snapshot(): Promise<unknown> {
  const result = await stack.database.db.execute(sql`
    select (select count(*) from projects) as projects, (select count(*) from characters) as characters,
           (select count(*) from audit_log) as audit, (select string_agg(status, ',' order by id) from jobs) as jobs,
           (select count(*) from api_tokens) as tokens, (select count(*) from api_tokens where revoked_at is not null) as revoked, (select count(*) from role_mappings) as roles,
           (select count(*) from channel_projects) as channels, (select count(*) from project_members) as members,
           (select string_agg(settings::text, ',' order by id) from spaces) as settings,
           (select string_agg(name || description || visibility || coalesce(archived_at::text, '-'), ',' order by id) from projects) as project_texts,
           (select string_agg(name || description || prompt_fragment, ',' order by id) from characters) as character_texts`);
  return result.rows[0];
}

const changes: Array<[string, string, string, () => string, unknown]> = [
  ['create a project', 'POST', '/api/projects', () => mod, { name: 'Fresh' }],
  ['rename a project', 'PATCH', '/api/projects/keep', () => mod, { name: 'Renamed', description: 'changed' }],
  ['archive a project', 'POST', '/api/projects/keep/archive', () => mod, undefined],
  ['bind a channel', 'PUT', '/api/channels/c1/project', () => mod, { project: 'keep' }],
  ['add a member', 'POST', '/api/projects/keep/members', () => mod, { add: ['newcomer'] }],
  ['create a character', 'POST', '/api/characters', () => mod, { name: 'Ren', prompt: 'boy' }],
  ['edit a character', 'PATCH', '/api/characters/Aiko', () => mod, { description: 'changed' }],
  ['delete a character', 'DELETE', '/api/characters/Aiko', () => mod, undefined],
  ['change settings', 'PATCH', '/api/admin/settings', () => admin, { content: { blocklist: ['forbidden'] } }],
  ['map a role', 'PUT', '/api/admin/roles', () => admin, { platform_role: 'R1', role: 'moderator' }],
  ['cancel a job', 'POST', '/api/anime/generation/{job}/cancel', () => mod, undefined],
  ['issue a token', 'POST', '/api/admin/tokens', () => admin, { user: 'other', role: 'viewer', days: 1 }],
  ['revoke a token', 'DELETE', '/api/admin/tokens/{token}', () => admin, undefined],
];

describe('a failing audit insert rolls the change back', () => {
  test.each(changes)('%s', async (_name, method, path, token, body) => {
    const before = await snapshot();
    const result = await api(stack, method, path.replace('{job}', queuedJob).replace('{token}', revocable), token(), body);
    expect(result.status, JSON.stringify(result.json)).toBe(500);
    expect(result.json.error.code).toBe('internal');
    expect(await snapshot()).toEqual(before);
  });
});
