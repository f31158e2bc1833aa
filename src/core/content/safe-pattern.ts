/**
 * Admins may add regular expressions to a space's blocklist. They run on every prompt, so a pattern
 * that backtracks catastrophically would let one admin stall every process. Checks here are a
 * conservative static screen, not a proof: they refuse the shapes behind nearly all ReDoS reports
 * (a repeated group that itself repeats or alternates, and backreferences), cap the size, and
 * require the pattern to compile with the flags it will run with.
 */
const MAX_PATTERN_LENGTH = 200;
// Case-insensitive so an admin's "EvilCorp" still matches the lowercased text it runs on.
const PATTERN_FLAGS = 'iu';

export type PatternProblem = 'empty' | 'too_long' | 'invalid' | 'backreference' | 'nested_quantifier';

interface GroupState {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

/** Reads a quantifier starting at `i`, if any: its length and whether it can repeat more than once. */
function readQuantifier(source: string, i: number): { length: number; repeats: boolean } | undefined {
  const c = source[i];
  if (c === '*' || c === '+') return { length: source[i + 1] === '?' ? 2 : 1, repeats: true };
  if (c === '?') return { length: source[i + 1] === '?' ? 2 : 1, repeats: false };
  if (c !== '{') return undefined;
  const match = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(i));
  if (match === null) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
  return { length: match[0].length, repeats: max > 1 };
}

/** Why a pattern is refused, or undefined when it may be used. */
export function patternProblem(source: string): PatternProblem | undefined {
  if (source.length === 0) return 'empty';
  if (source.length > MAX_PATTERN_LENGTH) return 'too_long';
  try {
    new RegExp(source, PATTERN_FLAGS);
  } catch {
    return 'invalid';
  }
  const stack: GroupState[] = [{ hasQuantifier: false, hasAlternation: false }];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const top = stack[stack.length - 1] as GroupState;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreference';
      i += 2;
    } else if (c === '[') {
      i += 1;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i += 1;
    } else if (c === '(') {
      stack.push({ hasQuantifier: false, hasAlternation: false });
      i += 1;
      continue;
    } else if (c === ')') {
      const closed = stack.pop() as GroupState;
      const parent = stack[stack.length - 1] as GroupState;
      i += 1;
      const quantifier = readQuantifier(source, i);
      if (quantifier !== undefined) {
        if (quantifier.repeats && (closed.hasQuantifier || closed.hasAlternation)) return 'nested_quantifier';
        parent.hasQuantifier = true;
        i += quantifier.length;
      }
      if (closed.hasQuantifier) parent.hasQuantifier = true;
      continue;
    } else if (c === '|') {
      top.hasAlternation = true;
      i += 1;
      continue;
    } else {
      i += 1;
    }
    // An atom just ended (escape, class or plain character): is it quantified?
    const quantifier = readQuantifier(source, i);
    if (quantifier !== undefined) {
      top.hasQuantifier = true;
      i += quantifier.length;
    }
  }
  return undefined;
}

/** Compiles a pattern that passed `patternProblem`; undefined for anything that did not. Never throws. */
export function compileSafePattern(source: string): RegExp | undefined {
  if (patternProblem(source) !== undefined) return undefined;
  return new RegExp(source, PATTERN_FLAGS);
}
