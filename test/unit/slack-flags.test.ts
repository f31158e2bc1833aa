import { describe, expect, test } from 'vitest';
import { modalToFlags } from '../../src/bots/slack/commands/generate-modal.js';
import { readUsergroup } from '../../src/bots/slack/commands/admin-config.js';
import { parseGenerateText } from '../../src/bots/slack/flags.js';

const ok = (text: string) => {
  const result = parseGenerateText(text);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};
const error = (text: string) => {
  const result = parseGenerateText(text);
  if (result.ok) throw new Error(`expected an error for ${text}`);
  return result.error;
};

describe('the /generate flag grammar', () => {
  test('the prompt is every word before the first flag', () => {
    expect(ok('  a girl   with pink hair ')).toEqual({ prompt: 'a girl with pink hair' });
  });

  test('flags in any order, with a space or =', () => {
    expect(ok('a cat --seed 42 --ar 2:3 --count=2')).toEqual({ prompt: 'a cat', seed: 42, width: 512, height: 768, count: 2 });
    expect(ok('a cat --ar=3:2')).toMatchObject({ width: 768, height: 512 });
    expect(ok('a cat --ar 1:1')).toMatchObject({ width: 512, height: 512 });
  });

  test('--model takes one model id; the core checks it against the offers', () => {
    expect(ok('a cat --model sd15 --seed 3')).toEqual({ prompt: 'a cat', model: 'sd15', seed: 3 });
    const bad = parseGenerateText('a cat --model ../etc');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^--model needs a model id/);
  });

  test('--negative takes every word up to the next flag', () => {
    expect(ok('a cat --negative blurry, low quality --seed 7')).toEqual({ prompt: 'a cat', negativePrompt: 'blurry, low quality', seed: 7 });
    expect(ok('a cat --seed 7 --negative extra fingers')).toMatchObject({ negativePrompt: 'extra fingers' });
  });

  test('a long dash counts as --', () => {
    expect(ok('a cat —seed 3 —ar 2:3')).toMatchObject({ seed: 3, width: 512 });
    expect(ok('a cat — sitting -- still')).toEqual({ prompt: 'a cat — sitting -- still' });
  });

  test('clear errors', () => {
    expect(error('a cat --style anime')).toMatch(/unknown flag --style; use --negative, --ar, --seed, --count/);
    expect(error('a cat --seed')).toBe('--seed needs a value');
    expect(error('a cat --seed --count 2')).toBe('--seed needs a value');
    expect(error('a cat --seed -1')).toMatch(/--seed needs a whole number/);
    expect(error('a cat --seed 99999999999')).toMatch(/--seed must be from 0 to 4294967295/);
    expect(error('a cat --count 5')).toBe('--count must be from 1 to 4');
    expect(error('a cat --count 0')).toBe('--count must be from 1 to 4');
    expect(error('a cat --ar 16:9')).toBe('--ar must be one of 2:3, 1:1, 3:2');
    expect(error('a cat --seed 1 --seed 2')).toBe('--seed is given twice');
    expect(error('--seed 1 a cat')).toMatch(/the prompt comes first/);
    expect(error('a cat --seed 1 more words')).toMatch(/"more" follows a flag that takes one value/);
  });
});

describe('the modal uses the same grammar', () => {
  const field = (value: string) => ({ value: { type: 'plain_text_input', value } });
  test('fields become flags', () => {
    expect(modalToFlags({ prompt: field('a fox'), negative: field('blurry'), seed: field('9'), ar: { value: { selected_option: { value: '2:3' } } } })).toEqual({
      ok: true, value: { prompt: 'a fox', negativePrompt: 'blurry', seed: 9, width: 512, height: 768 },
    });
    expect(modalToFlags({ prompt: field('a fox'), model: field('sd15') })).toEqual({ ok: true, value: { prompt: 'a fox', model: 'sd15' } });
  });
  test('errors point at the field', () => {
    expect(modalToFlags({ prompt: field('') })).toEqual({ ok: false, errors: { prompt: 'Write what to draw.' } });
    expect(modalToFlags({ prompt: field('a fox'), seed: field('x') })).toMatchObject({ ok: false, errors: { seed: expect.stringMatching(/whole number/) } });
  });
});

test('user groups are read from Slack escapes or bare ids', () => {
  expect(readUsergroup('<!subteam^S0ABC123|@artists>')).toBe('S0ABC123');
  expect(readUsergroup('<!subteam^S0ABC123>')).toBe('S0ABC123');
  expect(readUsergroup('S0ABC123')).toBe('S0ABC123');
  expect(readUsergroup('@artists')).toBeUndefined();
});
