/**
 * What the quality check can find wrong with an output, as codes: the worker renders again once
 * (new seed) when an output has one, and a job whose second render still has one is posted with a
 * note. The note is codes only; every adapter writes its own words for each (QualityNoteWords).
 */
export const QUALITY_PROBLEMS = [
  /** No decoder could read the file (or no frame of it). */
  'unreadable',
  /** One flat colour. */
  'blank',
  'almost_black',
  'almost_white',
  /** Not the width and height that were asked for. */
  'wrong_size',
  /** A video or animation whose frames do not change. */
  'no_motion',
] as const;

export type QualityProblem = (typeof QUALITY_PROBLEMS)[number];

/** The note a posted job carries when its output failed the check even after the re-render. */
export interface QualityNote {
  /** Every problem of the posted outputs, each once, in QUALITY_PROBLEMS order. */
  problems: QualityProblem[];
}

/** One adapter's words: a phrase per problem ("it looks blank"). Missing a code does not compile. */
export type QualityNoteWords = {
  readonly [P in QualityProblem]: string;
} & {
  /** The sentence around the phrases, e.g. "Quality check: {phrases}, even after a second try." */
  sentence(phrases: string[]): string;
};

/** A note from stored or received codes: unknown ones are dropped, the rest sorted and unique. */
export function qualityNoteOf(codes: readonly unknown[] | null | undefined): QualityNote | undefined {
  if (!codes) return undefined;
  const problems = QUALITY_PROBLEMS.filter((p) => codes.includes(p));
  return problems.length > 0 ? { problems } : undefined;
}

export function describeQualityNote(words: QualityNoteWords, note: QualityNote): string {
  return words.sentence(note.problems.map((p) => words[p]));
}
