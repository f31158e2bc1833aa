/**
 * The flag grammar of /project, /character and /search — the same rules as /generate's (flags.ts):
 *
 *   /<command> <words...> [--flag <value>]...
 *
 * - Positional words come first, before any flag.
 * - A flag's value is every word up to the next flag (`--prompt pink hair, green eyes`) or follows
 *   `=` (`--seed=42`). A long dash (—, what phones make of `--`) counts as `--`.
 * - Each flag once; an unknown flag is an error naming it, never silently part of a value.
 */
export type ParsedFlags = { ok: true; positional: string[]; flags: Map<string, string> } | { ok: false; error: string };

function isFlagWord(word: string): boolean {
  return /^(--|—)[A-Za-z]/.test(word);
}

export function parseCommandFlags(text: string, allowed: readonly string[]): ParsedFlags {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const positional: string[] = [];
  let i = 0;
  while (i < words.length && !isFlagWord(words[i]!)) positional.push(words[i++]!);
  const flags = new Map<string, string>();
  while (i < words.length) {
    const bare = words[i++]!.replace(/^(--|—)/, '');
    const eq = bare.indexOf('=');
    const name = (eq === -1 ? bare : bare.slice(0, eq)).toLowerCase();
    if (!allowed.includes(name)) {
      const known = allowed.length ? `; use ${allowed.map((f) => `--${f}`).join(', ')}` : '';
      return { ok: false, error: `unknown flag --${name.slice(0, 20)}${known}` };
    }
    if (flags.has(name)) return { ok: false, error: `--${name} is given twice` };
    const taken = eq === -1 || bare.slice(eq + 1) === '' ? [] : [bare.slice(eq + 1)];
    while (i < words.length && !isFlagWord(words[i]!)) taken.push(words[i++]!);
    if (taken.length === 0) return { ok: false, error: `--${name} needs a value` };
    flags.set(name, taken.join(' '));
  }
  return { ok: true, positional, flags };
}

/** A whole number flag, or an error naming the flag. */
export function numberFlag(flag: string, raw: string, min: number, max: number): number | { error: string } {
  if (!/^-?\d{1,12}$/.test(raw)) return { error: `--${flag} needs a whole number, got "${raw.slice(0, 20)}"` };
  const n = Number(raw);
  return n < min || n > max ? { error: `--${flag} must be from ${min} to ${max}` } : n;
}
