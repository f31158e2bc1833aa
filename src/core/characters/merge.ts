import type { LoraSpec } from '../generator.js';

/** What the merge reads from a character. */
export interface MergeableCharacter {
  id: string;
  name: string;
  promptFragment: string;
  negativeFragment: string;
  referenceSeed: number | null;
  lora: LoraSpec | null;
  /** Uploads sent through the template's `$image` role, in order (absent: none). */
  referenceImages?: readonly string[];
}

/** The generate service's port: names in a request -> characters usable in the job's project. */
export interface CharacterResolver {
  /**
   * In the order named, each name matched case-insensitively against the project's own characters
   * first, then the space-wide ones. The first unknown name fails the whole request.
   */
  resolve(spaceId: string, projectId: string, names: readonly string[]): Promise<{ ok: true; characters: MergeableCharacter[] } | { ok: false; unknown: string }>;
}

export interface MergeInput {
  prompt: string;
  negativePrompt: string;
  /** The user's seed, when they gave one. */
  seed: number | undefined;
  spaceNegative: string;
}

export interface Merged {
  /** The prompt actually sent (stored as jobs.prompt_sent). */
  prompt: string;
  /** The negative prompt actually sent, space negative included (jobs.negative_sent). */
  negative: string;
  /** Negative text without the space's own part, for the content check (as before characters). */
  negativeForCheck: string;
  /** The seed to use, or undefined to pick a random one. */
  seed: number | undefined;
  loras: LoraSpec[];
  characterIds: string[];
  characterNames: string[];
}

/**
 * THE MERGE ORDER (documented in docs/decisions.md):
 *  prompt   = character prompt fragments in the order the user named the characters, then the user's prompt;
 *  negative = the user's negative, then character negative fragments in the same order, then the space's negative;
 *  seed     = the user's seed; else the reference seed when exactly one named character has one; else random;
 *  LoRAs    = each character's LoRA in the same order (a LoRA named twice keeps its first weight).
 * Characters come first because both the built-in renderer (first subject and colour words win) and
 * diffusion models (earlier tokens weigh more) let the earliest description define the look, so the
 * user's scene words cannot repaint a character. Naming a character twice counts once; empty parts
 * and fragments repeated verbatim are dropped.
 */
export function mergeCharacters(input: MergeInput, characters: readonly MergeableCharacter[]): Merged {
  const cast = uniqueBy(characters, (c) => c.id);
  const prompt = joinParts([...cast.map((c) => c.promptFragment), input.prompt]);
  const negativeForCheck = joinParts([input.negativePrompt, ...cast.map((c) => c.negativeFragment)]);
  const negative = joinParts([negativeForCheck, input.spaceNegative]);
  const seeds = cast.filter((c) => c.referenceSeed !== null).map((c) => c.referenceSeed!);
  const seed = input.seed ?? (seeds.length === 1 ? seeds[0] : undefined);
  const loras = uniqueBy(cast.flatMap((c) => (c.lora ? [c.lora] : [])), (l) => l.name);
  return { prompt, negative, negativeForCheck, seed, loras, characterIds: cast.map((c) => c.id), characterNames: cast.map((c) => c.name) };
}

function joinParts(parts: readonly string[]): string {
  return uniqueBy(parts.map((p) => p.trim()).filter(Boolean), (p) => p).join(', ');
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
