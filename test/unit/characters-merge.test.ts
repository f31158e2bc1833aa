import { describe, expect, test } from 'vitest';
import { mergeCharacters, type MergeableCharacter } from '../../src/core/characters/merge.js';

const character = (id: string, extra: Partial<MergeableCharacter> = {}): MergeableCharacter => ({
  id,
  name: id.toUpperCase(),
  promptFragment: `${id} looks`,
  negativeFragment: `${id} never`,
  referenceSeed: null,
  lora: null,
  ...extra,
});

const base = { prompt: 'at the beach', negativePrompt: 'blurry', seed: undefined, spaceNegative: 'lowres' };

describe('character merge order', () => {
  test('prompt: character fragments in the order named, then the user prompt', () => {
    const merged = mergeCharacters(base, [character('b'), character('a')]);
    expect(merged.prompt).toBe('b looks, a looks, at the beach');
    expect(merged.characterIds).toEqual(['b', 'a']);
    expect(merged.characterNames).toEqual(['B', 'A']);
  });

  test('negative: user negative, character negatives in order, then the space negative', () => {
    const merged = mergeCharacters(base, [character('b'), character('a')]);
    expect(merged.negative).toBe('blurry, b never, a never, lowres');
    // The content check sees what the user and the characters asked for, as before characters existed.
    expect(merged.negativeForCheck).toBe('blurry, b never, a never');
  });

  test('without characters the prompt is the user prompt, trimmed, and the negative as before', () => {
    const merged = mergeCharacters({ ...base, prompt: '  a cat  ' }, []);
    expect(merged).toMatchObject({ prompt: 'a cat', negative: 'blurry, lowres', seed: undefined, loras: [], characterIds: [] });
    expect(mergeCharacters({ ...base, negativePrompt: '', spaceNegative: '' }, []).negative).toBe('');
  });

  test('seed: the user seed, else the one reference seed, else none (random)', () => {
    const seeded = character('a', { referenceSeed: 42 });
    expect(mergeCharacters(base, [seeded]).seed).toBe(42);
    expect(mergeCharacters({ ...base, seed: 7 }, [seeded]).seed).toBe(7);
    expect(mergeCharacters({ ...base, seed: 0 }, [seeded]).seed).toBe(0);
    expect(mergeCharacters(base, [seeded, character('b', { referenceSeed: 9 })]).seed).toBeUndefined();
    expect(mergeCharacters(base, [seeded, character('b')]).seed).toBe(42);
  });

  test('LoRAs in the order named; a LoRA named twice keeps its first weight', () => {
    const merged = mergeCharacters(base, [
      character('a', { lora: { name: 'style.safetensors', weight: 0.6 } }),
      character('b', { lora: { name: 'b.safetensors', weight: 1 } }),
      character('c', { lora: { name: 'style.safetensors', weight: 0.9 } }),
    ]);
    expect(merged.loras).toEqual([
      { name: 'style.safetensors', weight: 0.6 },
      { name: 'b.safetensors', weight: 1 },
    ]);
  });

  test('a character named twice counts once; empty fragments and repeats are dropped', () => {
    const twin = character('a');
    const merged = mergeCharacters(base, [twin, character('b', { promptFragment: '', negativeFragment: 'blurry' }), twin]);
    expect(merged.prompt).toBe('a looks, at the beach');
    expect(merged.negative).toBe('blurry, a never, lowres');
    expect(merged.characterIds).toEqual(['a', 'b']);
  });
});
