import { compileSafePattern } from './safe-pattern.js';
import { normalizeForMatching, type NormalizedText } from './normalize.js';
import { TermIndex, prepareWords, type PreparedWords } from './term-index.js';
import * as terms from './terms.js';
import { CompoundFinder, shortWordJoins } from './word-tricks.js';

export type ContentRule = 'minors' | 'blocklist' | 'nsfw';

/** Which rule refused, and the term that tripped it (for the audit log; adapters write the words). */
export type ContentVerdict = { ok: true } | { ok: false; reason: ContentRule; term?: string };

export interface ContentInput {
  prompt: string;
  negativePrompt?: string;
}

export interface ContentPolicy {
  /** The space's blocked words and phrases. */
  blocklist: readonly string[];
  /** The space's blocked regular expressions (sources), run on the normalized prompt. */
  patterns: readonly string[];
  /** The channel or space is marked NSFW. */
  nsfwAllowed: boolean;
}

const MINOR_SEXUAL = new TermIndex(terms.MINOR_SEXUAL_TERMS);
const DEDICATED_MINOR = new TermIndex(terms.DEDICATED_MINOR_TERMS);
const MINOR = new TermIndex(terms.MINOR_TERMS);
const EXPLICIT = new TermIndex(terms.EXPLICIT_TERMS);
const SUGGESTIVE = new TermIndex(terms.SUGGESTIVE_TERMS);
const INTIMATE = new TermIndex(terms.INTIMATE_TERMS);
const ADULT = new TermIndex(terms.ADULT_TERMS);
const ANY_MINOR = new TermIndex([...terms.MINOR_SEXUAL_TERMS, ...terms.DEDICATED_MINOR_TERMS, ...terms.MINOR_TERMS]);
const DEDICATED_COMPOUND = new CompoundFinder(terms.DEDICATED_MINOR_TERMS, ANY_MINOR);
const MINOR_COMPOUND = new CompoundFinder(terms.MINOR_TERMS, ANY_MINOR);

interface Sequence {
  term: string;
  squashed: string;
}
const squashedAll = (list: readonly string[]): Sequence[] =>
  list.map((term) => ({ term, squashed: normalizeForMatching(term).squashed })).filter((s) => s.squashed !== '');
const CJK_MINOR_SEXUAL = squashedAll(terms.CJK_MINOR_SEXUAL);
const CJK_DEDICATED_MINOR = squashedAll(terms.CJK_DEDICATED_MINOR);
const CJK_MINOR = squashedAll(terms.CJK_MINOR);
const CJK_EXPLICIT = squashedAll(terms.CJK_EXPLICIT);
const MINOR_SEXUAL_SEQUENCES = squashedAll(terms.MINOR_SEXUAL_SEQUENCES);
const EXPLICIT_SEQUENCES = squashedAll(terms.EXPLICIT_SEQUENCES);

const NUMBER = `(\\d{1,3}|${terms.UNDERAGE_NUMBER_WORDS.join('|')})`;
// Read from the literal form, where "12-year-old" is "12 year old" and "12yo" keeps its digits.
const AGE_PATTERNS = [
  new RegExp(`(?:^| )${NUMBER} ?(?:years? old|yrs? old|year olds?|yrs?|yo|y o|years? of age|sai|歳|才)(?= |$)`, 'gu'),
  new RegExp(`(?:^| )(?:aged?|age of) ${NUMBER}(?= |$)`, 'gu'),
];
const SCHOOL_GRADE = /(?:^| )(?:1st|2nd|3rd|[4-8]th|first|second|third|fourth|fifth|sixth|seventh|eighth) grader?s?(?= |$)|(?:^| )grade [1-8](?= |$)|(?:^| )(?:under|below|younger than) (?:18|eighteen)(?= |$)/u;
const ADULT_RATING = /(?:^| )r ?18g?(?= |$)/u;

function underageMention(literal: string): string | undefined {
  // Every mention counts: "a 25 year old and a 12 year old" names a child.
  for (const pattern of AGE_PATTERNS) {
    for (const match of literal.matchAll(pattern)) {
      const number = match[1] ?? '';
      const age = /^\d+$/.test(number) ? Number(number) : terms.UNDERAGE_NUMBER_WORDS.indexOf(number);
      if (age >= 0 && age < 18) return match[0].trim();
    }
  }
  return SCHOOL_GRADE.exec(literal)?.[0].trim();
}

const firstIn = (squashed: string, sequences: readonly Sequence[]) => sequences.find((s) => squashed.includes(s.squashed))?.term;

interface Findings {
  minorSexual?: string;
  /** A minor word run together with a sexual one ("lolinude"). */
  compound?: string;
  dedicatedMinor?: string;
  minor?: string;
  explicit?: string;
  suggestive?: string;
  intimate?: string;
}

function wordList(text: NormalizedText): string[] {
  return text.spaced === '' ? [] : text.spaced.split(' ');
}

function scan(text: NormalizedText, list: readonly string[], words: PreparedWords): Findings {
  const joins = prepareWords(shortWordJoins(list));
  const dedicatedCompound = DEDICATED_COMPOUND.find(list, [EXPLICIT, SUGGESTIVE, INTIMATE]);
  const minorCompound = MINOR_COMPOUND.find(list, [EXPLICIT, SUGGESTIVE]);
  const compound = [dedicatedCompound, minorCompound].find((hit) => hit?.rest !== undefined);
  return {
    minorSexual:
      MINOR_SEXUAL.find(words) ??
      MINOR_SEXUAL.find(joins) ??
      firstIn(text.squashed, MINOR_SEXUAL_SEQUENCES) ??
      firstIn(text.squashed, CJK_MINOR_SEXUAL),
    compound: compound === undefined ? undefined : `${compound.term} + ${compound.rest}`,
    dedicatedMinor:
      DEDICATED_MINOR.find(words) ??
      DEDICATED_MINOR.find(joins) ??
      dedicatedCompound?.term ??
      firstIn(text.squashed, CJK_DEDICATED_MINOR),
    minor: MINOR.find(words) ?? MINOR.find(joins) ?? underageMention(text.literal) ?? firstIn(text.squashed, CJK_MINOR),
    explicit:
      EXPLICIT.find(words) ??
      (ADULT_RATING.test(text.literal) ? 'r18' : undefined) ??
      firstIn(text.squashed, EXPLICIT_SEQUENCES) ??
      firstIn(text.squashed, CJK_EXPLICIT),
    suggestive: SUGGESTIVE.find(words),
    intimate: INTIMATE.find(words),
  };
}

/**
 * The always-on rule against sexual content involving minors. No setting reaches it: it ignores the
 * blocklist and `nsfwAllowed` only makes it stricter. Negations are not honoured ("kids, no nudity"
 * is refused) because image models do not understand "no": the word itself pulls towards what it
 * names; such words belong in the negative prompt, which this rule does not scan for them.
 */
function minorsRule(found: Findings, negative: NormalizedText, nsfwAllowed: boolean): string | undefined {
  if (found.minorSexual !== undefined) return found.minorSexual;
  if (found.compound !== undefined) return found.compound;
  const sexual = found.explicit ?? found.suggestive;
  // In an NSFW channel the space's safeguards against nudity are off, so no minor may appear at all.
  const context = sexual ?? (nsfwAllowed ? 'nsfw channel' : undefined);
  if (found.dedicatedMinor !== undefined) {
    const intimateContext = context ?? found.intimate;
    if (intimateContext !== undefined) return `${found.dedicatedMinor} + ${intimateContext}`;
  }
  if (found.minor !== undefined && context !== undefined) return `${found.minor} + ${context}`;
  // "adult" in the negative prompt of a sexual request asks the model for someone who is not one.
  if (context !== undefined) {
    const adult = ADULT.find(prepareWords(wordList(negative)));
    if (adult !== undefined) return `${context} + negative ${adult}`;
  }
  return undefined;
}

interface CompiledBlocklist {
  words: TermIndex;
  patterns: { source: string; regex: RegExp }[];
}

// Spaces reuse the same lists for every request; compiling once per distinct list keeps checks fast.
const blocklistCache = new Map<string, CompiledBlocklist>();
const BLOCKLIST_CACHE_SIZE = 256;

function compileBlocklist(blocklist: readonly string[], patterns: readonly string[]): CompiledBlocklist {
  const key = JSON.stringify([blocklist, patterns]);
  const cached = blocklistCache.get(key);
  if (cached !== undefined) return cached;
  const compiled: CompiledBlocklist = {
    words: new TermIndex(blocklist),
    // Invalid or unsafe patterns were refused when saved; any that slip through are skipped, not thrown.
    patterns: patterns.flatMap((source) => {
      const regex = compileSafePattern(source);
      return regex === undefined ? [] : [{ source, regex }];
    }),
  };
  if (blocklistCache.size >= BLOCKLIST_CACHE_SIZE) blocklistCache.delete(blocklistCache.keys().next().value as string);
  blocklistCache.set(key, compiled);
  return compiled;
}

/**
 * Decides whether a prompt may be generated. Rules in order: minors (always on), the space's
 * blocklist, then NSFW terms outside NSFW channels. The negative prompt is what the user wants
 * kept out, so blocked and NSFW words there are fine; it is only read for the "adult" trick above.
 */
export function checkContent(input: ContentInput, policy: ContentPolicy): ContentVerdict {
  const prompt = normalizeForMatching(input.prompt);
  const negative = normalizeForMatching(input.negativePrompt ?? '');
  const list = wordList(prompt);
  const words = prepareWords(list);
  const found = scan(prompt, list, words);

  const minors = minorsRule(found, negative, policy.nsfwAllowed);
  if (minors !== undefined) return { ok: false, reason: 'minors', term: minors };

  const blocklist = compileBlocklist(policy.blocklist, policy.patterns);
  const blockedWord = blocklist.words.find(words);
  if (blockedWord !== undefined) return { ok: false, reason: 'blocklist', term: blockedWord };
  const blockedPattern = blocklist.patterns.find((p) => p.regex.test(prompt.spaced));
  if (blockedPattern !== undefined) return { ok: false, reason: 'blocklist', term: blockedPattern.source };

  if (!policy.nsfwAllowed && found.explicit !== undefined) return { ok: false, reason: 'nsfw', term: found.explicit };
  return { ok: true };
}

/**
 * The negative prompt sent to the backend: the user's, then the space's. Appending is skipped when
 * the user's already ends with the space's, so re-rolls and variations do not grow it each time.
 */
export function appendSpaceNegative(negative: string | undefined, spaceNegative: string): string {
  const user = (negative ?? '').trim().replace(/[\s,]+$/u, '');
  const space = spaceNegative.trim().replace(/^[\s,]+|[\s,]+$/gu, '');
  if (space === '') return user;
  if (user === '') return space;
  if (user === space || user.endsWith(`, ${space}`)) return user;
  return `${user}, ${space}`;
}
