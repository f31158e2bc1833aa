import { ASPECTS, MAX_COUNT, MAX_SEED } from '../../core/generate-request.js';

/**
 * The one flag grammar of `/generate` (documented in the README):
 *
 *   /generate <prompt> [--negative <text>] [--ar 2:3|1:1|3:2] [--seed N] [--count N]
 *             [--project <slug>] [--character <name>[, <name>...]]...
 *
 * - The prompt is every word before the first flag. Flags come after it, in any order, each once.
 * - A flag's value is the next word (`--seed 42`) or follows `=` (`--seed=42`); `--negative` takes
 *   every word up to the next flag.
 * - A long dash (—, what macOS and phones make of `--`) counts as `--`; a dash standing alone is text.
 * - Any other word starting with `--` is an unknown flag: an error, never silently part of the prompt.
 * - `--character` takes every word up to the next flag (names may have spaces), split on commas, and
 *   may be repeated: `--character Aiko, Ren --character Mika` names three, merged in that order.
 *   It is the one flag that may be given more than once.
 */
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
}

export type FlagResult = { ok: true; value: GenerateFlags } | { ok: false; error: string };

const FLAGS = ['negative', 'ar', 'seed', 'count', 'project', 'character'] as const;
/** Flags that take every word up to the next flag. */
const MULTI_WORD: ReadonlySet<Flag> = new Set(['negative', 'character']);
type Flag = (typeof FLAGS)[number];

const ASPECT_RATIOS: Record<string, { width: number; height: number }> = {
  '2:3': ASPECTS.portrait,
  '1:1': ASPECTS.square,
  '3:2': ASPECTS.landscape,
};

export const FLAG_USAGE = '/generate <prompt> [--negative <text>] [--ar 2:3|1:1|3:2] [--seed N] [--count N] [--project <slug>] [--character <name>]';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MAX_CHARACTERS = 4;

/** `--name` or `—name`; a bare dash or an em-dash between words stays part of the text. */
function isFlagWord(word: string): boolean {
  return /^(--|—)[A-Za-z]/.test(word);
}

function flagName(word: string): { name: string; inline?: string } {
  const bare = word.replace(/^(--|—)/, '');
  const eq = bare.indexOf('=');
  return eq === -1 ? { name: bare.toLowerCase() } : { name: bare.slice(0, eq).toLowerCase(), inline: bare.slice(eq + 1) };
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number | string {
  if (!/^\d{1,12}$/.test(raw)) return `--${flag} needs a whole number, got "${raw.slice(0, 20)}"`;
  const n = Number(raw);
  if (n < min || n > max) return `--${flag} must be from ${min} to ${max}`;
  return n;
}

export function parseGenerateText(text: string): FlagResult {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const promptWords: string[] = [];
  let i = 0;
  while (i < words.length && !isFlagWord(words[i]!)) promptWords.push(words[i++]!);
  const value: GenerateFlags = { prompt: promptWords.join(' ') };
  const seen = new Set<Flag>();

  if (value.prompt === '') return { ok: false, error: `the prompt comes first, before any flag: ${FLAG_USAGE}` };
  while (i < words.length) {
    const word = words[i++]!;
    if (!isFlagWord(word)) {
      return { ok: false, error: `"${word.slice(0, 20)}" follows a flag that takes one value; the prompt comes first, before any flag` };
    }
    const { name, inline } = flagName(word);
    if (!(FLAGS as readonly string[]).includes(name)) {
      return { ok: false, error: `unknown flag --${name.slice(0, 20)}; use ${FLAGS.map((f) => `--${f}`).join(', ')}` };
    }
    const flag = name as Flag;
    if (seen.has(flag) && flag !== 'character') return { ok: false, error: `--${flag} is given twice` };
    seen.add(flag);
    const taken: string[] = inline !== undefined && inline !== '' ? [inline] : [];
    if (MULTI_WORD.has(flag)) {
      while (i < words.length && !isFlagWord(words[i]!)) taken.push(words[i++]!);
    } else if (taken.length === 0 && i < words.length && !isFlagWord(words[i]!)) {
      taken.push(words[i++]!);
    }
    if (taken.length === 0) return { ok: false, error: `--${flag} needs a value` };
    const raw = taken.join(' ');
    if (flag === 'negative') {
      value.negativePrompt = raw;
    } else if (flag === 'project') {
      if (!SLUG.test(raw)) return { ok: false, error: `--project needs a project slug (lowercase letters, digits, dashes), got "${raw.slice(0, 20)}"` };
      value.project = raw;
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
    } else {
      const n = flag === 'seed' ? wholeNumber('seed', raw, 0, MAX_SEED) : wholeNumber('count', raw, 1, MAX_COUNT);
      if (typeof n === 'string') return { ok: false, error: n };
      value[flag] = n;
    }
  }
  return { ok: true, value };
}
