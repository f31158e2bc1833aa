import { describe, expect, test } from 'vitest';
import { discordCommands } from '../../commands/discord-commands.js';
import { completes, rankChoices } from '../../src/bots/discord/features/autocomplete.js';
import { charactersFromOptions } from '../../src/bots/discord/features/generate.js';
import { fitLines, link } from '../../src/bots/discord/studio-format.js';
import { replyProjectUrl } from '../../src/bots/discord/gallery-link.js';

type Option = { name: string; type: number; required?: boolean; autocomplete?: boolean; choices?: unknown[]; options?: Option[]; name_localizations?: { ja?: string } };

describe('autocomplete', () => {
  const projects = [
    { value: 'summer-fest', label: 'Summer Festival (summer-fest)' },
    { value: 'general', label: 'General (general)' },
    { value: 'midsummer', label: 'Midsummer (midsummer)' },
  ];

  test('prefix matches come first, then matches inside; case does not matter', () => {
    expect(rankChoices(projects, 'SUM').map((c) => c.value)).toEqual(['summer-fest', 'midsummer']);
    expect(rankChoices(projects, '').map((c) => c.value)).toEqual(['summer-fest', 'general', 'midsummer']);
    expect(rankChoices(projects, 'zzz')).toEqual([]);
  });

  test('at most 25 choices, each at most 100 characters, one per name', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ value: `p${i}`, label: `${'x'.repeat(120)}${i}` }));
    const choices = rankChoices([...many, { value: 'P1', label: 'dup' }], 'p');
    expect(choices).toHaveLength(25);
    expect(choices.every((c) => c.name.length <= 100 && c.value.length <= 100)).toBe(true);
    expect(choices.filter((c) => c.value.toLowerCase() === 'p1')).toHaveLength(1);
  });

  test('which options complete from which list', () => {
    expect(completes('generate', 'project')).toBe('project');
    expect(completes('generate', 'character2')).toBe('character');
    expect(completes('character show', 'name')).toBe('character');
    expect(completes('character create', 'name')).toBeNull();
    expect(completes('project create', 'name')).toBeNull();
    expect(completes('generate', 'model')).toBe('model');
    expect(completes('search', 'model')).toBeNull();
  });
});

describe('/generate characters', () => {
  test('character, character2, character3 in that order; blanks and repeats dropped', () => {
    const given: Record<string, string | null> = { character: 'Aoi', character2: ' ', character3: 'aoi' };
    expect(charactersFromOptions({ getString: ((name: string) => given[name] ?? null) as never })).toEqual(['Aoi']);
    const three: Record<string, string> = { character: 'Aoi', character2: 'Ren', character3: 'Mika' };
    expect(charactersFromOptions({ getString: ((name: string) => three[name] ?? null) as never })).toEqual(['Aoi', 'Ren', 'Mika']);
  });
});

describe('formatting', () => {
  test('a bracket in user text cannot end a link label early', () => {
    expect(link('a](http://evil) [b', 'https://x')).toBe('[a(http://evil) b](<https://x>)');
  });

  test('lines beyond the limit are counted, not cut in half', () => {
    const text = fitLines(Array.from({ length: 50 }, (_, i) => `line ${i} ${'y'.repeat(40)}`), 500);
    expect(text.length).toBeLessThanOrEqual(500);
    expect(text).toMatch(/…and \d+ more$/);
  });

  test('the reply link is signed as a viewer, on the job clock, so re-renders are identical', () => {
    const calls: unknown[] = [];
    const links = { url: (viewer: unknown, slug: string, options: unknown) => (calls.push([viewer, slug, options]), `u/${slug}`) };
    const job = { spaceId: 's', userId: 'u', projectSlug: 'p', createdAt: new Date(1000), finishedAt: new Date(5000) };
    expect(replyProjectUrl(links, job)).toBe('u/p');
    expect(calls).toEqual([[{ spaceId: 's', userId: 'u', role: 'viewer' }, 'p', { now: 5000 }]]);
  });
});

describe('command definitions', () => {
  const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;
  function walk(options: Option[] | undefined, path: string): void {
    if (!options) return;
    expect(options.length, path).toBeLessThanOrEqual(25);
    let optionalSeen = false;
    for (const option of options) {
      expect(option.name, path).toMatch(/^[a-z0-9_-]{1,32}$/);
      expect(option.name_localizations?.ja, `${path} ${option.name}`).toMatch(NAME);
      if (option.autocomplete) expect(option.choices, `${path} ${option.name}`).toBeUndefined();
      if (option.type > 2) {
        // Discord rejects a required option after an optional one.
        if (option.required) expect(optionalSeen, `${path} ${option.name}`).toBe(false);
        else optionalSeen = true;
      }
      walk(option.options, `${path} ${option.name}`);
    }
  }

  test('every command and option is valid for Discord and localized', () => {
    for (const command of discordCommands as unknown as Option[]) walk(command.options, command.name);
    const names = (discordCommands as unknown as Option[]).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['project', 'character', 'history', 'search', 'gallery']));
  });
});
