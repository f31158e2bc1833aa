import { normalizeForMatching } from './normalize.js';
import { prepareWords, type TermIndex } from './term-index.js';

/**
 * Two tricks that whole-word matching misses, handled only for words about minors, where a miss
 * matters most and the extra matches cost little (a minor word alone refuses nothing outside NSFW
 * channels).
 */

const MAX_SHORT = 2;
const MAX_PIECES = 4;

/**
 * Words split into short pieces with spaces ("lo li", "sh o ta", "ch il d"): every join of 2 to 4
 * neighbouring words of at most two letters. Longer neighbours are left alone, or "shot a" would
 * read as "shota" and "pen is" as a body part.
 */
export function shortWordJoins(words: readonly string[]): string[] {
  const joins: string[] = [];
  for (let start = 0; start < words.length; start += 1) {
    let joined = '';
    for (let end = start; end < words.length && end - start < MAX_PIECES; end += 1) {
      const word = words[end] as string;
      if ([...word].length > MAX_SHORT) break;
      joined += word;
      if (end > start) joins.push(joined);
    }
  }
  return joins;
}

export interface CompoundHit {
  /** The listed term found inside the word. */
  term: string;
  /** A listed word that the rest of the word spells, if any ("nude" in "lolinude"). */
  rest?: string;
}

/**
 * Terms run together with other words ("lolinude", "sexyloli"): finds a listed term inside a longer
 * word and reads what is left on each side as words of their own. Words that are themselves listed
 * ("lolita", "shotacon") are matched whole elsewhere and skipped here.
 */
export class CompoundFinder {
  private readonly needles: { term: string; text: string }[];

  constructor(
    terms: readonly string[],
    private readonly listed: TermIndex,
  ) {
    this.needles = terms
      .map((term) => ({ term, text: normalizeForMatching(term).squashed }))
      .filter((n) => [...n.text].length >= 3);
  }

  find(words: readonly string[], rests: readonly TermIndex[]): CompoundHit | undefined {
    let bare: CompoundHit | undefined;
    for (const word of words) {
      for (const needle of this.needles) {
        const at = word.indexOf(needle.text);
        if (at < 0 || word === needle.text) continue;
        if (this.listed.find(prepareWords([word])) !== undefined) continue;
        const pieces = [word.slice(0, at), word.slice(at + needle.text.length)].filter((p) => p !== '');
        for (const index of rests) {
          const rest = index.find(prepareWords(pieces));
          if (rest !== undefined) return { term: needle.term, rest };
        }
        bare ??= { term: needle.term };
      }
    }
    return bare;
  }
}
