import { expect, test } from 'vitest';
import { failureText } from '../../src/bots/slack/words.js';
import { fail } from '../../src/core/outcome.js';

test('a content refusal says which rule refused it, like Discord does', () => {
  expect(failureText(fail('content_refused', 'x', { reason: 'nsfw' }))).toMatch(/NSFW/);
  expect(failureText(fail('content_refused', 'x', { reason: 'blocklist' }))).toMatch(/blocked/);
  expect(failureText(fail('content_refused', 'x', { reason: 'minors' }))).toMatch(/minors/);
  expect(failureText(fail('content_refused', 'x'))).toMatch(/not allowed in this workspace/);
});
