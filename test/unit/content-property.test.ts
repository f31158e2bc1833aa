import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { appendSpaceNegative, checkContent } from '../../src/core/content/check-content.js';
import { normalizeForMatching } from '../../src/core/content/normalize.js';
import { patternProblem } from '../../src/core/content/safe-pattern.js';

// Any code point (lone surrogates included), and text biased towards the characters normalization
// treats specially: invisibles, marks, look-alikes, leetspeak symbols and separators.
const anyText = fc.string({ unit: 'binary', maxLength: 300 });
const tricky = fc.string({
  unit: fc.constantFrom(
    'a', 'l', 'i', 'o', 's', 'x', 'I', '1', '0', '3', '@', '$', '!', '|', '.', '-', '_', '*', ' ', "'",
    '\u200B', '\u200D', '\u00AD', '\u2066', '\u0000', '\u0007', '\n', '\t', '\u3164', '\uFE0F', '\u0301', '\u0338',
    'а', 'о', 'і', 'ӏ', 'η', 'Η', 'ς', 'ｌ', '𝐥', 'ʟ', '🇱', 'İ', 'ß', 'ǅ', 'ﬁ', '한', 'ゴ', 'ﾛ', '歳', '\uD800',
  ),
  maxLength: 200,
});
const text = fc.oneof(anyText, tricky, fc.string({ unit: 'grapheme', maxLength: 200 }));

const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const forms = (s: string) => normalizeForMatching(s);

describe('normalizeForMatching', () => {
  test('never throws and never leaves invisible or control characters', () => {
    fc.assert(
      fc.property(text, (s) => {
        const { literal, spaced, squashed } = forms(s);
        for (const form of [literal, spaced, squashed]) expect(INVISIBLE_OR_CONTROL.test(form)).toBe(false);
        expect(squashed.includes(' ')).toBe(false);
        expect(spaced).toBe(spaced.trim());
        expect(spaced.includes('  ')).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  test('is idempotent: normalizing the spaced form again changes nothing', () => {
    fc.assert(
      fc.property(text, (s) => {
        const once = forms(s);
        const twice = forms(once.spaced);
        expect(twice.spaced).toBe(once.spaced);
        expect(twice.squashed).toBe(once.squashed);
        expect(forms(once.literal).literal).toBe(once.literal);
      }),
      { numRuns: 2_000 },
    );
  });

  test('squashed is spaced without its spaces', () => {
    fc.assert(fc.property(text, (s) => forms(s).squashed === forms(s).spaced.replaceAll(' ', '')));
  });
});

describe('checkContent', () => {
  const policy = fc.record({
    blocklist: fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }),
    patterns: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
    nsfwAllowed: fc.boolean(),
  });

  test('never throws on arbitrary prompts, negatives and settings, and answers in the documented shape', () => {
    fc.assert(
      fc.property(text, fc.option(text, { nil: undefined }), policy, (prompt, negativePrompt, p) => {
        const verdict = checkContent({ prompt, negativePrompt }, p);
        if (!verdict.ok) expect(['minors', 'blocklist', 'nsfw']).toContain(verdict.reason);
      }),
      { numRuns: 1_000 },
    );
  });

  test('an evasion stays refused when invisible characters are sprinkled into it', () => {
    const invisibles = fc.array(fc.constantFrom('\u200B', '\u200C', '\u200D', '\u2060', '\u00AD', '\uFEFF'), { maxLength: 3 });
    fc.assert(
      fc.property(fc.array(invisibles, { minLength: 9, maxLength: 9 }), (gaps) => {
        const prompt = [...'loli nude'].map((char, i) => char + (gaps[i] ?? []).join('')).join('');
        expect(checkContent({ prompt }, { blocklist: [], patterns: [], nsfwAllowed: true })).toMatchObject({ ok: false, reason: 'minors' });
      }),
    );
  });

  test('appendSpaceNegative never throws and always keeps the space negative', () => {
    fc.assert(
      fc.property(fc.option(anyText, { nil: undefined }), fc.string({ maxLength: 40 }), (negative, space) => {
        const combined = appendSpaceNegative(negative, space);
        const core = space.trim().replace(/^[\s,]+|[\s,]+$/gu, '');
        expect(combined.includes(core)).toBe(true);
      }),
    );
  });

  test('patternProblem never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (source) => void patternProblem(source)), { numRuns: 2_000 });
  });
});
