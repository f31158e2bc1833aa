import { expect, test } from 'vitest';
import { recipeKey, recipeOfJob, type Recipe } from '../../src/core/recipes/recipe.js';
import { jobRecord } from '../support/job-fixtures.js';

const base: Recipe = recipeOfJob(jobRecord({ model: 'sd15', loras: [{ name: 'a.safetensors', weight: 0.7 }], templateVersion: 'txt2img@0123456789abcdef' }));

test('the key does not depend on the order the recipe was built in', () => {
  const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as Recipe;
  expect(recipeKey(reordered)).toBe(recipeKey(base));
  expect(recipeKey(base)).toMatch(/^[0-9a-f]{64}$/);
});

test('every field that changes the files changes the key', () => {
  const changes: Array<Partial<Recipe>> = [
    { prompt: `${base.prompt} ` },
    { negativePrompt: 'blurry' },
    { seed: base.seed + 1 },
    { width: base.width + 8 },
    { height: base.height + 8 },
    { steps: base.steps + 1 },
    { count: 2 },
    { kind: 'video' },
    { model: 'animagine' },
    { loras: [{ name: 'a.safetensors', weight: 0.8 }] },
    { templateVersion: 'txt2img@fedcba9876543210' },
    { inputs: [{ role: 'image', sha256: 'ab'.repeat(32), strength: 0.5 }] },
  ];
  const keys = new Set([recipeKey(base), ...changes.map((change) => recipeKey({ ...base, ...change }))]);
  expect(keys.size).toBe(changes.length + 1);
});

test('a job\'s recipe is what its record says was sent', () => {
  expect(base).toEqual({
    kind: 'image', prompt: 'hero fragment, a cat', negativePrompt: '', seed: 7, width: 512, height: 768, steps: 20, count: 1,
    model: 'sd15', loras: [{ name: 'a.safetensors', weight: 0.7 }], templateVersion: 'txt2img@0123456789abcdef', inputs: [],
  });
});
