import { foldHomoglyph } from './homoglyphs.js';

/**
 * Text reduced to what a reader sees, for matching only (never shown, never sent to a backend).
 * - `literal`: look-alikes folded, lowercase, one space between words, digits kept. Ages
 *   ("12yo", "12-year-old") are read from this form, before leetspeak turns digits into letters.
 * - `spaced`: `literal` plus leetspeak folded ("l0l1" -> "loli") and spelled-out evasions joined
 *   ("l o l i", "l.o.l.i", "n-u-d-e" -> one word). Terms are matched on its word boundaries, so
 *   "Sussex" never matches "sex".
 * - `squashed`: `spaced` without spaces. Only long, distinctive sequences are searched in it (they
 *   catch "lo li con"); short words would match across innocent word pairs.
 */
export interface NormalizedText {
  literal: string;
  spaced: string;
  squashed: string;
}

// Invisible characters an evader slips between letters: format (Cf: zero-width space/joiner, bidi
// marks, soft hyphen), controls, and the default-ignorables that are neither (Hangul fillers).
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Default_Ignorable_Code_Point}]/gu;
// Whitespace splits words; U+FEFF counts as whitespace in JS but is an invisible joiner in text.
const WHITESPACE = /(?:[^\S\uFEFF]|\u2800)+/gu;
const MARKS = /\p{M}+/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e\t\n\r]*$/;
const APOSTROPHES = /['\u2018\u2019\u02BC\u0060\u00B4]/gu;
const WORD_PIECE = /[\p{L}\p{N}]+/gu;
const LETTER = /\p{L}/u;
const DIGITS_ONLY = /^\p{N}+$/u;

// Symbols read as letters, folded only when a letter follows ("$ex", "n@ked") so that
// punctuation at the end of a word ("nude!") stays punctuation.
const SYMBOL_LETTERS: Readonly<Record<string, string>> = {
  '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't', '€': 'e', '£': 'l', '¢': 'c', '§': 's', '¡': 'i',
};
const DIGIT_LETTERS: Readonly<Record<string, string>> = {
  '0': 'o', '1': 'i', '2': 'z', '3': 'e', '4': 'a', '5': 's', '6': 'g', '7': 't', '8': 'b', '9': 'g',
};

/** Unicode folding shared by every form: compatibility forms, invisibles, look-alikes, case, accents. */
function foldCharacters(text: string): string {
  // Plain ASCII is already in every normal form and has no look-alikes: skip the Unicode passes.
  if (PRINTABLE_ASCII.test(text)) return text.replace(/\s+/g, ' ').toLowerCase().replace(APOSTROPHES, '');
  let folded = text.normalize('NFKC').replace(WHITESPACE, ' ').replace(INVISIBLE, '');
  folded = Array.from(folded, foldHomoglyph).join('').toLowerCase();
  folded = folded.normalize('NFD').replace(MARKS, '');
  // Stripping marks can reveal base letters that are themselves look-alikes (Cyrillic й -> и).
  return Array.from(folded, foldHomoglyph).join('').toLowerCase().replace(APOSTROPHES, '');
}

function foldSymbols(text: string): string {
  const chars = Array.from(text);
  return chars
    .map((char, i) => {
      const letter = SYMBOL_LETTERS[char];
      return letter !== undefined && LETTER.test(chars[i + 1] ?? '') ? letter : char;
    })
    .join('');
}

/**
 * Splits into words, joining spelled-out evasions: a whitespace chunk whose pieces are all one or two
 * characters ("l.o.l.i", "lo-li", "l_0_l_1") becomes one word, then runs of single-character words
 * ("l o l i") become one word. Longer hyphenated words stay apart ("half-naked" -> "half naked").
 */
function words(text: string): string[] {
  const out: string[] = [];
  for (const chunk of text.split(' ')) {
    const pieces = chunk.match(WORD_PIECE) ?? [];
    if (pieces.length > 1 && pieces.every((p) => [...p].length <= 2)) out.push(pieces.join(''));
    else out.push(...pieces);
  }
  const joined: string[] = [];
  let run = '';
  for (const word of out) {
    if ([...word].length === 1) {
      run += word;
      continue;
    }
    if (run !== '') joined.push(run);
    run = '';
    joined.push(word);
  }
  if (run !== '') joined.push(run);
  return joined;
}

/** Digits inside a word with letters are leetspeak ("s3x"); a number on its own stays a number. */
function foldDigits(word: string): string {
  if (DIGITS_ONLY.test(word) || !LETTER.test(word)) return word;
  return word.replace(/[0-9]/g, (d) => DIGIT_LETTERS[d] ?? d);
}

export function normalizeForMatching(text: string): NormalizedText {
  const folded = foldCharacters(text);
  const literal = (folded.match(WORD_PIECE) ?? []).join(' ');
  const spacedWords = words(foldSymbols(folded)).map(foldDigits);
  return { literal, spaced: spacedWords.join(' '), squashed: spacedWords.join('') };
}
