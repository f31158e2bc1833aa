import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GenerationInput } from '../../src/core/generator.js';
import { jobs } from '../../src/db/schema.js';
import { createStubGenerator } from '../support/stub-generator.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { api } from '../support/api.js';
import { generateAndWait } from './projects-support.js';

let stack: TestStack;
let mod: string;
let creator: string;
const seen: GenerationInput[] = [];
beforeAll(async () => {
  stack = await startTestStack({
    worker: { generator: await createStubGenerator((input) => seen.push(input)) },
    env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000', MAX_PENDING_PER_USER: '50' },
  });
  [mod, creator] = await Promise.all([stack.token('mika', 'moderator'), stack.token('carl', 'creator')]);
  await api(stack, 'POST', '/api/projects', mod, { name: 'Beach Episode' });
});
afterAll(async () => {
  await stack.close();
});

const aiko = {
  name: 'Aiko',
  description: 'The lead',
  prompt: 'girl, silver long hair, blue eyes, red kimono',
  negative_prompt: 'short hair',
  reference_seed: 1234,
  lora: { name: 'aiko_v2.safetensors', weight: 0.8 },
};

describe('characters through the API', () => {
  test('create, list, show, edit, delete; moderators only; audit-logged', async () => {
    expect((await api(stack, 'POST', '/api/characters', creator, aiko)).status).toBe(403);
    const created = await api(stack, 'POST', '/api/characters', mod, aiko);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Aiko', project: null, prompt: aiko.prompt, reference_seed: 1234, lora: aiko.lora });
    expect((await api(stack, 'POST', '/api/characters', mod, { ...aiko, name: 'aiko' })).json.error).toMatchObject({ code: 'conflict', field: 'name' });
    expect((await api(stack, 'POST', '/api/characters', mod, { name: 'Bad', prompt: 'x', lora: { name: '../../etc/passwd' } })).json.error.field).toBe('lora.name');
    expect((await api(stack, 'POST', '/api/characters', mod, { name: 'NoPrompt' })).json.error).toMatchObject({ code: 'invalid_input', field: 'prompt' });

    const ren = await api(stack, 'POST', '/api/characters', mod, { name: 'Ren', project: 'beach-episode', prompt: 'boy, black short hair, green eyes', negative_prompt: 'hat', reference_seed: 77 });
    expect(ren.json.project).toBe('beach-episode');
    expect((await api(stack, 'GET', '/api/characters', creator)).json.characters.map((c: { name: string }) => c.name)).toEqual(['Aiko', 'Ren']);
    expect((await api(stack, 'GET', '/api/characters/aiko', creator)).json.name).toBe('Aiko');
    expect((await api(stack, 'GET', '/api/characters/Ren', creator)).status).toBe(404);
    expect((await api(stack, 'GET', '/api/characters/Ren?project=beach-episode', creator)).json.name).toBe('Ren');

    const edited = await api(stack, 'PATCH', '/api/characters/Aiko', mod, { description: 'The lead, age 17 in canon' });
    expect(edited.json.description).toBe('The lead, age 17 in canon');
    expect((await api(stack, 'PATCH', '/api/characters/Aiko', mod, { project: 'x' })).status).toBe(400);
    expect((await api(stack, 'PATCH', '/api/characters/Aiko', creator, { description: 'x' })).status).toBe(403);

    await api(stack, 'POST', '/api/characters', mod, { name: 'Temp', prompt: 'cat' });
    expect((await api(stack, 'DELETE', '/api/characters/Temp', mod)).json).toMatchObject({ deleted: true, name: 'Temp' });
    expect((await api(stack, 'GET', '/api/characters/Temp', mod)).status).toBe(404);

    const audit = await api(stack, 'GET', '/api/admin/audit', await stack.token('ada', 'admin'));
    expect(audit.json.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['character.created', 'character.updated', 'character.deleted']));
  });

  test('generate with characters: fragments merged in order, stored as sent, LoRAs reach the backend', async () => {
    const done = await generateAndWait(stack, creator, {
      prompt: 'walking on the beach at sunset',
      negative_prompt: 'blurry',
      project: 'beach-episode',
      characters: ['Ren', 'aiko'],
    });
    expect(done.prompt).toBe('boy, black short hair, green eyes, girl, silver long hair, blue eyes, red kimono, walking on the beach at sunset');
    expect(done.negative_prompt).toBe('blurry, hat, short hair');
    // Two characters have reference seeds, so neither wins: the seed is random.
    const [row] = await stack.database.db.select().from(jobs).where(eq(jobs.id, done.job_id as string));
    expect(row!.characterNames).toBe('Ren\nAiko');
    expect(row!.characterIds).toHaveLength(2);
    expect(row!.loras).toEqual([{ name: 'aiko_v2.safetensors', weight: 0.8 }]);
    expect(seen.find((i) => i.jobId === done.job_id)?.loras).toEqual([{ name: 'aiko_v2.safetensors', weight: 0.8 }]);
  });

  test('one character with a reference seed gives that seed unless the user gave one', async () => {
    expect((await generateAndWait(stack, creator, { prompt: 'in the city', characters: ['Aiko'] })).seed).toBe(1234);
    expect((await generateAndWait(stack, creator, { prompt: 'in the city', characters: ['Aiko'], seed: 5 })).seed).toBe(5);
  });

  test('an unknown character is a clear invalid_input naming it; nothing is queued', async () => {
    const before = await stack.database.db.$count(jobs);
    const refused = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a girl', characters: ['Aiko', 'Nobody'] });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'invalid_input', field: 'characters' });
    expect(refused.json.error.message).toContain('"Nobody"');
    // A project's character is not usable from another project.
    const elsewhere = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a boy', characters: ['Ren'], project: 'general' });
    expect(elsewhere.json.error.message).toContain('"Ren"');
    expect(await stack.database.db.$count(jobs)).toBe(before);
  });

  test('a project character shadows a space-wide one of the same name', async () => {
    await api(stack, 'POST', '/api/characters', mod, { name: 'Aiko', project: 'beach-episode', prompt: 'girl, pink twintails, swimsuit' });
    const done = await generateAndWait(stack, creator, { prompt: 'waves', project: 'beach-episode', characters: ['Aiko'] });
    expect(done.prompt).toBe('girl, pink twintails, swimsuit, waves');
    const general = await generateAndWait(stack, creator, { prompt: 'waves', characters: ['Aiko'] });
    expect(general.prompt).toBe('girl, silver long hair, blue eyes, red kimono, waves');
  });
});
