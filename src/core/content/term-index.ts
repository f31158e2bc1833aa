import { normalizeForMatching } from './normalize.js';

/**
 * Whole-word matching of terms and phrases against normalized words, tolerant of the tricks that
 * survive normalization: i/l confusion ("IoIi" is "loli" in most fonts), stretched letters
 * ("nuuude", "sexxx"), and plurals. A letter only counts as stretched when repeated three times or
 * more, so real words with one doubled letter ("annals", "Kidd") do not match "anal" or "kid".
 */
interface Run {
  char: string;
  count: number;
}

interface Entry {
  term: string;
  words: Run[][];
}

const STRETCH_MIN = 3;

/** i and l (and the digit 1 and |, already folded to them) look the same in many fonts. */
function skeleton(word: string): string {
  return word.replace(/l/g, 'i');
}

function runs(word: string): Run[] {
  const out: Run[] = [];
  for (const char of skeleton(word)) {
    const last = out[out.length - 1];
    if (last !== undefined && last.char === char) last.count += 1;
    else out.push({ char, count: 1 });
  }
  return out;
}

const runKey = (word: Run[]): string => word.map((r) => r.char).join('');

function sameWord(text: Run[], term: Run[]): boolean {
  if (text.length !== term.length) return false;
  return term.every((t, i) => {
    const r = text[i] as Run;
    return r.char === t.char && (r.count === t.count || (r.count >= STRETCH_MIN && r.count > t.count));
  });
}

/** The word as written, and without a plural ending. */
function variants(word: string): Run[][] {
  const out = [runs(word)];
  if (word.length > 3 && word.endsWith('s')) out.push(runs(word.slice(0, -1)));
  if (word.length > 4 && word.endsWith('es')) out.push(runs(word.slice(0, -2)));
  return out;
}

/** Words prepared once per prompt, then looked up in every index. */
export interface PreparedWords {
  readonly candidates: readonly Run[][][];
}

export function prepareWords(words: readonly string[]): PreparedWords {
  return { candidates: words.map(variants) };
}

export class TermIndex {
  private readonly byFirstWord = new Map<string, Entry[]>();

  constructor(terms: Iterable<string>) {
    for (const term of terms) {
      const words = normalizeForMatching(term).spaced.split(' ').filter((w) => w !== '').map(runs);
      const first = words[0];
      if (first === undefined) continue;
      const key = runKey(first);
      const list = this.byFirstWord.get(key) ?? [];
      list.push({ term, words });
      this.byFirstWord.set(key, list);
    }
  }

  /** The first listed term found in the prepared words (the `spaced` form split on spaces), if any. */
  find(words: PreparedWords): string | undefined {
    const { candidates } = words;
    for (let i = 0; i < candidates.length; i += 1) {
      const seen = new Set<string>();
      for (const variant of candidates[i] as Run[][]) {
        const key = runKey(variant);
        if (seen.has(key)) continue;
        seen.add(key);
        for (const entry of this.byFirstWord.get(key) ?? []) {
          if (this.matchesAt(entry, candidates, i)) return entry.term;
        }
      }
    }
    return undefined;
  }

  private matchesAt(entry: Entry, candidates: readonly Run[][][], start: number): boolean {
    const last = entry.words.length - 1;
    return entry.words.every((termWord, j) => {
      const forms = candidates[start + j];
      if (forms === undefined) return false;
      // Only the phrase's last word may be plural ("young girls", not "youngs girl").
      return (j === last ? forms : forms.slice(0, 1)).some((form) => sameWord(form, termWord));
    });
  }
}
