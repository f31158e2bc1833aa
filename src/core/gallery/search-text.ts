/**
 * What a user typed into search, as plain data the records turn into a tsquery: words joined by
 * AND, `"quoted phrases"`, `-not`, and `or` between alternatives (web-search habits). Words keep
 * letters, digits and combining marks only, so no tsquery operator (& | ! : * ( ) < > ') can
 * survive into the query, whatever was typed.
 */

/** One term: a single word, or a phrase (words in this order, next to each other). */
export interface SearchTerm {
  words: string[];
  negated: boolean;
}

/** Alternatives (OR) of groups whose terms must all hold (AND). */
export type SearchText = SearchTerm[][];

export const MAX_SEARCH_WORDS = 32;

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

function wordsOf(chunk: string): string[] {
  return (chunk.normalize('NFC').toLowerCase().match(WORD) ?? []).map((w) => w.slice(0, 64));
}

/** Null when nothing searchable is left (only punctuation or operators). */
export function parseSearchText(text: string): SearchText | null {
  const groups: SearchText = [[]];
  let count = 0;
  // A quoted phrase (closing quote optional), or a run of non-space characters.
  const tokens = text.matchAll(/(-?)"([^"]*)"?|(\S+)/g);
  for (const [, dash, phrase, bare] of tokens) {
    if (count >= MAX_SEARCH_WORDS) break;
    if (phrase === undefined && bare !== undefined && bare.toLowerCase() === 'or') {
      if (groups.at(-1)!.length > 0) groups.push([]);
      continue;
    }
    const negated = dash === '-' || (bare?.startsWith('-') ?? false);
    const words = wordsOf(phrase ?? bare ?? '').slice(0, MAX_SEARCH_WORDS - count);
    if (words.length === 0) continue;
    count += words.length;
    groups.at(-1)!.push({ words, negated });
  }
  const filled = groups.filter((g) => g.length > 0);
  return filled.length > 0 ? filled : null;
}
