import { ASPECTS, MAX_COUNT, MAX_SEED } from '../../core/generate-request.js';

/**
 * The one flag grammar of every Slack command (documented in the README):
 *
 *   /<command> <words...> [--flag <value>]...
 *
 * - Positional words come first (for /generate: the prompt). Flags follow, in any order, each once
 *   unless the command lets one repeat (/generate's `--character`).
 * - A flag's value is every word up to the next flag, or follows `=` (`--seed=42`). A command may
 *   name flags that take just the next word (/generate's `--ar`, `--seed`, `--count`, `--project`);
 *   a word after such a value is an error, never silently part of anything.
 * - A long dash (—, what macOS and phones make of `--`) counts as `--`; a dash standing alone is text.
 * - Any other word starting with `--` is an unknown flag: an error naming it.
 *
 * /generate on top:
 *
 *   /generate <prompt> [--negative <text>] [--ar 2:3|1:1|3:2] [--seed N] [--count N]
 *             [--project <slug>] [--character <name>[, <name>...]]...
 *
 * `--character` takes every word up to the next flag (names may have spaces), split on commas, and
 * may be repeated: `--character Aiko, Ren --character Mika` names three, merged in that order.
 */
export interface FlagGrammar {
  allowed: readonly string[];
  /** Flags whose value is one word; the others take every word up to the next flag. */
  oneWord?: ReadonlySet<string>;
  /** Flags that may be given more than once (each occurrence is reported). */
  repeatable?: ReadonlySet<string>;
}

type FlagItem = { name: string; value: string } | { error: string };

/** `--name` or `—name`; a bare dash or an em-dash between words stays part of the text. */
function isFlagWord(word: string): boolean {
  return /^(--|—)[A-Za-z]/.test(word);
}

function splitWords(text: string): { positional: string[]; rest: string[] } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const first = words.findIndex(isFlagWord);
  return first === -1 ? { positional: words, rest: [] } : { positional: words.slice(0, first), rest: words.slice(first) };
}

/** The flags after the positional words, in order; stops at the first mistake, which it reports. */
function* readFlags(rest: string[], grammar: FlagGrammar): Generator<FlagItem> {
  const seen = new Set<string>();
  let i = 0;
  while (i < rest.length) {
    const word = rest[i++]!;
    if (!isFlagWord(word)) {
      // Only a one-word flag leaves a word behind, and only /generate has those.
      yield { error: `"${word.slice(0, 20)}" follows a flag that takes one value; the prompt comes first, before any flag` };
      return;
    }
    const bare = word.replace(/^(--|—)/, '');
    const eq = bare.indexOf('=');
    const name = (eq === -1 ? bare : bare.slice(0, eq)).toLowerCase();
    if (!grammar.allowed.includes(name)) {
      const known = grammar.allowed.length ? `; use ${grammar.allowed.map((f) => `--${f}`).join(', ')}` : '';
      yield { error: `unknown flag --${name.slice(0, 20)}${known}` };
      return;
    }
    if (seen.has(name) && !grammar.repeatable?.has(name)) {
      yield { error: `--${name} is given twice` };
      return;
    }
    seen.add(name);
    const taken = eq === -1 || bare.slice(eq + 1) === '' ? [] : [bare.slice(eq + 1)];
    if (!grammar.oneWord?.has(name)) {
      while (i < rest.length && !isFlagWord(rest[i]!)) taken.push(rest[i++]!);
    } else if (taken.length === 0 && i < rest.length && !isFlagWord(rest[i]!)) {
      taken.push(rest[i++]!);
    }
    if (taken.length === 0) {
      yield { error: `--${name} needs a value` };
      return;
    }
    yield { name, value: taken.join(' ') };
  }
}

export type ParsedFlags = { ok: true; positional: string[]; flags: Map<string, string> } | { ok: false; error: string };

/** /project, /character and /search: positional words, then flags that each take words up to the next. */
export function parseCommandFlags(text: string, allowed: readonly string[]): ParsedFlags {
  const { positional, rest } = splitWords(text);
  const flags = new Map<string, string>();
  for (const item of readFlags(rest, { allowed })) {
    if ('error' in item) return { ok: false, error: item.error };
    flags.set(item.name, item.value);
  }
  return { ok: true, positional, flags };
}

/** A whole number flag, or an error naming the flag. */
export function numberFlag(flag: string, raw: string, min: number, max: number): number | { error: string } {
  if (!/^\d{1,12}$/.test(raw)) return { error: `--${flag} needs a whole number, got "${raw.slice(0, 20)}"` };
  const n = Number(raw);
  return n < min || n > max ? { error: `--${flag} must be from ${min} to ${max}` } : n;
}

export interface GenerateFlags {
  prompt: string;
  negativePrompt?: string;
  width?: number;
  height?: number;
  seed?: number;
  count?: number;
  /** Project slug; absent: the channel's default project (`/project use`). */
  project?: string;
  /** Character names in the order given (the core merges their fragments in this order). */
  characters?: string[];
  /** An offered model's id (GET /api/models); absent: the default. The core checks it. */
  model?: string;
}

export type FlagResult = { ok: true; value: GenerateFlags } | { ok: false; error: string };

const GENERATE_GRAMMAR: FlagGrammar = {
  allowed: ['negative', 'ar', 'seed', 'count', 'project', 'character', 'model'],
  oneWord: new Set(['ar', 'seed', 'count', 'project', 'model']),
  repeatable: new Set(['character']),
};

const ASPECT_RATIOS: Record<string, { width: number; height: number }> = {
  '2:3': ASPECTS.portrait,
  '1:1': ASPECTS.square,
  '3:2': ASPECTS.landscape,
};

export const FLAG_USAGE = '/generate <prompt> [--negative <text>] [--ar 2:3|1:1|3:2] [--seed N] [--count N] [--project <slug>] [--character <name>] [--model <id>]';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MODEL_ID = /^[a-z0-9][a-z0-9._-]{0,47}$/;
const MAX_CHARACTERS = 4;

export function parseGenerateText(text: string): FlagResult {
  const { positional, rest } = splitWords(text);
  const value: GenerateFlags = { prompt: positional.join(' ') };
  if (value.prompt === '') return { ok: false, error: `the prompt comes first, before any flag: ${FLAG_USAGE}` };
  for (const item of readFlags(rest, GENERATE_GRAMMAR)) {
    if ('error' in item) return { ok: false, error: item.error };
    const { name: flag, value: raw } = item;
    if (flag === 'negative') {
      value.negativePrompt = raw;
    } else if (flag === 'project') {
      if (!SLUG.test(raw)) return { ok: false, error: `--project needs a project slug (lowercase letters, digits, dashes), got "${raw.slice(0, 20)}"` };
      value.project = raw;
    } else if (flag === 'model') {
      if (!MODEL_ID.test(raw)) return { ok: false, error: `--model needs a model id (as /generate's refusal or GET /api/models lists them), got "${raw.slice(0, 20)}"` };
      value.model = raw;
    } else if (flag === 'character') {
      const names = raw.split(',').map((n) => n.trim()).filter(Boolean);
      if (names.length === 0) return { ok: false, error: '--character needs a name' };
      value.characters = [...(value.characters ?? []), ...names];
      if (value.characters.length > MAX_CHARACTERS) return { ok: false, error: `--character: at most ${MAX_CHARACTERS} characters per image` };
    } else if (flag === 'ar') {
      const size = ASPECT_RATIOS[raw];
      if (!size) return { ok: false, error: `--ar must be one of ${Object.keys(ASPECT_RATIOS).join(', ')}` };
      value.width = size.width;
      value.height = size.height;
    } else if (flag === 'seed' || flag === 'count') {
      const n = flag === 'seed' ? numberFlag('seed', raw, 0, MAX_SEED) : numberFlag('count', raw, 1, MAX_COUNT);
      if (typeof n !== 'number') return { ok: false, error: n.error };
      value[flag] = n;
    }
  }
  return { ok: true, value };
}
