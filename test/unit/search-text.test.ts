import { describe, expect, test } from 'vitest';
import { MAX_SEARCH_WORDS, parseSearchText } from '../../src/core/gallery/search-text.js';

describe('parseSearchText', () => {
  test('words, phrases, negation and alternatives', () => {
    expect(parseSearchText('Cherry "blue sky" -rain or cat')).toEqual([
      [{ words: ['cherry'], negated: false }, { words: ['blue', 'sky'], negated: false }, { words: ['rain'], negated: true }],
      [{ words: ['cat'], negated: false }],
    ]);
  });

  test('no tsquery operator survives: only letters, digits and marks', () => {
    const parsed = parseSearchText("a&b | !c:* (d) <-> e'f \\g 猫");
    const words = parsed!.flat().flatMap((t) => t.words);
    expect(words).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', '猫']);
    for (const word of words) expect(word).toMatch(/^[\p{L}\p{N}\p{M}]+$/u);
  });

  test('nothing searchable is null; the word count is bounded', () => {
    expect(parseSearchText('& | ! : * ( )')).toBeNull();
    expect(parseSearchText('or or')).toBeNull();
    expect(parseSearchText('w '.repeat(100))!.flat()).toHaveLength(MAX_SEARCH_WORDS);
  });
});
