import { expect, test } from 'vitest';
import { failureText } from '../../src/bots/slack/words.js';
import { refuse } from '../../src/core/outcome.js';

test('a content refusal says which rule refused it, like Discord does', () => {
  expect(failureText(refuse('content_refused', { reason: 'nsfw' }))).toMatch(/NSFW/);
  expect(failureText(refuse('content_refused', { reason: 'blocklist' }))).toMatch(/blocked/);
  expect(failureText(refuse('content_refused', { reason: 'minors' }))).toMatch(/minors/);
  expect(failureText(refuse('content_refused'))).toMatch(/not allowed in this workspace/);
});
