import { describe, expect, test } from 'vitest';
import {
  DEFAULT_SPACE_SETTINGS,
  effectiveLimits,
  isNsfwAllowed,
  readSpaceSettings,
  spaceSettingsSchema,
} from '../../src/core/policy/space-settings.js';
import { patternProblem } from '../../src/core/content/safe-pattern.js';

const globalDefaults = { ratePerMinute: 10, burst: 3, maxPending: 3 };

describe('spaceSettingsSchema', () => {
  test('an empty object (a fresh space row) gets every default', () => {
    expect(spaceSettingsSchema.parse({})).toEqual({
      limits: { overrides: {} },
      defaultRole: 'creator',
      content: { blocklist: [], patterns: [], negativePrompt: '', nsfwChannels: [], nsfwSpace: false },
    });
    expect(DEFAULT_SPACE_SETTINGS.defaultRole).toBe('creator');
  });

  test('accepts a full configuration', () => {
    const parsed = spaceSettingsSchema.parse({
      limits: { ratePerMinute: 5, burst: 1, maxPending: 2, overrides: { moderator: { ratePerMinute: 30, maxPending: 10 } } },
      defaultRole: 'viewer',
      content: {
        blocklist: ['gore', 'blood splatter'],
        patterns: ['\\bclown\\w*'],
        negativePrompt: 'lowres, bad anatomy',
        nsfwChannels: ['C123'],
        nsfwSpace: false,
      },
    });
    expect(parsed.limits.overrides.moderator).toEqual({ ratePerMinute: 30, maxPending: 10 });
    expect(parsed.content.patterns).toEqual(['\\bclown\\w*']);
  });

  test.each([
    ['a misspelt key', { limts: {} }],
    ['a role above creator as default', { defaultRole: 'moderator' }],
    ['an override for viewers', { limits: { overrides: { viewer: { ratePerMinute: 100 } } } }],
    ['a rate of zero', { limits: { ratePerMinute: 0 } }],
    ['a rate above the ceiling', { limits: { ratePerMinute: 1_000_000 } }],
    ['a fractional pending cap', { limits: { maxPending: 2.5 } }],
    ['a blank blocked word', { content: { blocklist: ['   '] } }],
    ['a blocked word of punctuation only', { content: { blocklist: ['!!!'] } }],
    ['a pattern that does not compile', { content: { patterns: ['(unclosed'] } }],
    ['a catastrophic pattern', { content: { patterns: ['(a+)+$'] } }],
    ['a control character in the negative prompt', { content: { negativePrompt: 'bad\u0007' } }],
  ])('refuses %s', (_name, input) => {
    expect(spaceSettingsSchema.safeParse(input).success).toBe(false);
  });
});

describe('patternProblem', () => {
  test.each([
    ['(a+)+', 'nested_quantifier'],
    ['(a*)*b', 'nested_quantifier'],
    ['(x+x+)+y', 'nested_quantifier'],
    ['(a|aa)+', 'nested_quantifier'],
    ['(?:\\w+\\s?)*$', 'nested_quantifier'],
    ['((ab)*c)+', 'nested_quantifier'],
    ['(.*a){12}', 'nested_quantifier'],
    ['(a)\\1', 'backreference'],
    ['(?<w>a)\\k<w>', 'backreference'],
    ['[', 'invalid'],
    ['', 'empty'],
    ['a'.repeat(201), 'too_long'],
  ])('%s is refused (%s)', (source, problem) => {
    expect(patternProblem(source)).toBe(problem);
  });

  test.each(['\\bgore\\b', 'blood ?splatter', '(cat|dog)s?', 'clown\\w*', '[a-z]+ing\\b', '(ab){2}', '(a+)?', 'x{2,5}y'])('%s is accepted', (source) => {
    expect(patternProblem(source)).toBeUndefined();
  });
});

describe('readSpaceSettings', () => {
  test('never throws, and falls back to defaults for garbage', () => {
    for (const raw of [null, undefined, 42, 'text', [], { limits: 'x' }]) {
      expect(readSpaceSettings(raw)).toEqual(DEFAULT_SPACE_SETTINGS);
    }
  });

  test('one bad entry does not cost the whole blocklist', () => {
    const settings = readSpaceSettings({
      limits: { ratePerMinute: 4 },
      content: { blocklist: ['gore', 7, ''], patterns: ['(a+)+', 'clown'], nsfwSpace: 'yes', negativePrompt: 'lowres' },
    });
    expect(settings.limits.ratePerMinute).toBe(4);
    expect(settings.content.blocklist).toEqual(['gore']);
    expect(settings.content.patterns).toEqual(['clown']);
    expect(settings.content.nsfwSpace).toBe(false);
    expect(settings.content.negativePrompt).toBe('lowres');
  });
});

describe('effectiveLimits', () => {
  test('with nothing set, the global defaults apply', () => {
    expect(effectiveLimits(globalDefaults, DEFAULT_SPACE_SETTINGS, 'creator')).toEqual(globalDefaults);
  });

  test('space values override the global ones, role values override the space ones, field by field', () => {
    const settings = spaceSettingsSchema.parse({
      limits: { ratePerMinute: 6, maxPending: 2, overrides: { moderator: { ratePerMinute: 30 }, admin: { maxPending: 20 } } },
    });
    expect(effectiveLimits(globalDefaults, settings, 'creator')).toEqual({ ratePerMinute: 6, burst: 3, maxPending: 2 });
    expect(effectiveLimits(globalDefaults, settings, 'moderator')).toEqual({ ratePerMinute: 30, burst: 3, maxPending: 2 });
    expect(effectiveLimits(globalDefaults, settings, 'admin')).toEqual({ ratePerMinute: 6, burst: 3, maxPending: 20 });
    expect(effectiveLimits(globalDefaults, settings, 'viewer')).toEqual({ ratePerMinute: 6, burst: 3, maxPending: 2 });
  });

  test('a burst of zero is a value, not a gap', () => {
    const settings = spaceSettingsSchema.parse({ limits: { burst: 0 } });
    expect(effectiveLimits(globalDefaults, settings, 'creator').burst).toBe(0);
  });
});

describe('isNsfwAllowed', () => {
  const base = DEFAULT_SPACE_SETTINGS;
  test('only where the space, the platform flag or the admins say so', () => {
    expect(isNsfwAllowed(base)).toBe(false);
    expect(isNsfwAllowed(base, { id: 'C1', nsfw: false })).toBe(false);
    expect(isNsfwAllowed(base, { id: 'C1', nsfw: true })).toBe(true);
    const listed = spaceSettingsSchema.parse({ content: { nsfwChannels: ['C1'] } });
    expect(isNsfwAllowed(listed, { id: 'C1', nsfw: false })).toBe(true);
    expect(isNsfwAllowed(listed, { id: 'C2', nsfw: false })).toBe(false);
    const whole = spaceSettingsSchema.parse({ content: { nsfwSpace: true } });
    expect(isNsfwAllowed(whole)).toBe(true);
  });
});
