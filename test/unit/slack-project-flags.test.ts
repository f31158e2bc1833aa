import { describe, expect, test } from 'vitest';
import { numberFlag, parseCommandFlags } from '../../src/bots/slack/flags.js';
import { modalToFlags } from '../../src/bots/slack/commands/generate-modal.js';
import { parseGenerateText } from '../../src/bots/slack/flags.js';
import { replyProjectUrl } from '../../src/bots/slack/reply/reply-view.js';
import { GalleryLinks } from '../../src/infra/links/gallery-links.js';

describe('/generate --project and --character', () => {
  test('--character is repeatable and takes comma lists, in order; names may have spaces', () => {
    const parsed = parseGenerateText('a walk --character Aiko Tanaka, Ren --project summer-fest --character Mika');
    expect(parsed).toEqual({ ok: true, value: { prompt: 'a walk', characters: ['Aiko Tanaka', 'Ren', 'Mika'], project: 'summer-fest' } });
  });

  test('errors name the flag', () => {
    const error = (text: string) => (parseGenerateText(text) as { error: string }).error;
    expect(error('a cat --character')).toBe('--character needs a value');
    expect(error('a cat --character ,')).toBe('--character needs a name');
    expect(error('a cat --character a,b,c,d,e')).toMatch(/^--character: at most 4/);
    expect(error('a cat --project Summer_Fest')).toMatch(/^--project needs a project slug/);
    expect(error('a cat --project a --project b')).toBe('--project is given twice');
  });

  test('the modal\'s project and characters fields go through the same grammar', () => {
    const text = (value: string) => ({ value: { type: 'plain_text_input', value } });
    expect(modalToFlags({ prompt: text('a fox'), project: text('summer-fest'), characters: text('Aiko, Ren') })).toEqual({
      ok: true, value: { prompt: 'a fox', project: 'summer-fest', characters: ['Aiko', 'Ren'] },
    });
    expect(modalToFlags({ prompt: text('a fox'), project: text('Not A Slug') })).toMatchObject({ ok: false, errors: { project: expect.stringMatching(/--project/) } });
  });
});

describe('the /project, /character and /search grammar', () => {
  test('positional words first, then flags that take every word up to the next', () => {
    expect(parseCommandFlags('Aiko Tanaka --prompt pink hair, green eyes —seed=7', ['prompt', 'seed'])).toEqual({
      ok: true, positional: ['Aiko', 'Tanaka'], flags: new Map([['prompt', 'pink hair, green eyes'], ['seed', '7']]),
    });
  });

  test('unknown, repeated and empty flags are errors naming the flag', () => {
    expect(parseCommandFlags('x --colour red', ['prompt'])).toEqual({ ok: false, error: 'unknown flag --colour; use --prompt' });
    expect(parseCommandFlags('x --prompt a --prompt b', ['prompt'])).toEqual({ ok: false, error: '--prompt is given twice' });
    expect(parseCommandFlags('x --prompt', ['prompt'])).toEqual({ ok: false, error: '--prompt needs a value' });
    expect(numberFlag('seed', 'lots', 0, 10)).toEqual({ error: '--seed needs a whole number, got "lots"' });
    expect(numberFlag('seed', '11', 0, 10)).toEqual({ error: '--seed must be from 0 to 10' });
  });
});

describe('one grammar for every command', () => {
  test('the same words read the same in /generate and in /character', () => {
    const text = 'a walk —negative blurry, low quality --seed=7';
    const generate = parseGenerateText(text);
    const command = parseCommandFlags(text, ['negative', 'seed']);
    expect(generate).toEqual({ ok: true, value: { prompt: 'a walk', negativePrompt: 'blurry, low quality', seed: 7 } });
    expect(command).toEqual({ ok: true, positional: ['a', 'walk'], flags: new Map([['negative', 'blurry, low quality'], ['seed', '7']]) });
  });

  test('numbers follow one rule: a sign is not part of a whole number', () => {
    expect((parseGenerateText('a cat --seed -1') as { error: string }).error).toBe('--seed needs a whole number, got "-1"');
    expect(numberFlag('seed', '-1', 0, 10)).toEqual({ error: '--seed needs a whole number, got "-1"' });
  });
});

describe('the reply project link', () => {
  const links = new GalleryLinks('s'.repeat(64), 'https://anime.example.com');
  const job = {
    spaceId: '11111111-1111-4111-8111-111111111111', userId: '22222222-2222-4222-8222-222222222222', projectSlug: 'summer-fest',
    createdAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T00:01:00Z'),
  };

  test('signed for the author as a viewer, 7 days from the finish, identical on every rendering', () => {
    const url = replyProjectUrl(links, job);
    expect(url).toBe(replyProjectUrl(links, job));
    const pass = links.verify(new URL(url).searchParams.get('pass') ?? '', job.finishedAt.getTime());
    expect(pass).toEqual({ spaceId: job.spaceId, userId: job.userId, role: 'viewer', expires: job.finishedAt.getTime() / 1000 + 7 * 24 * 3600 });
    expect(new URL(url).pathname).toBe(`/gallery/${job.spaceId}/p/summer-fest`);
  });
});
