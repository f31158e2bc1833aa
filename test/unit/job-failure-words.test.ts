import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderReply as renderDiscord } from '../../src/bots/discord/render.js';
import { JOB_FAILURE_WORDS as DISCORD, describeFailure, describeJobError } from '../../src/bots/discord/words.js';
import { renderReply as renderSlack } from '../../src/bots/slack/reply/reply-view.js';
import { FAILURE_WORDS as SLACK_FAILURE_WORDS, JOB_FAILURE_WORDS as SLACK, failureText, jobFailureText } from '../../src/bots/slack/words.js';
import { GenerationError } from '../../src/core/errors.js';
import { describeJobFailure, detailsOf, JOB_FAILURE_CODES, type JobFailureWords } from '../../src/core/job-failures.js';
import { fromRecord } from '../../src/core/job-message/model.js';
import { fail, FAILURE_CODES, refuse, type Failure, type FailureCode } from '../../src/core/outcome.js';
import { FAILURE_WORDS as WEB_FAILURE_WORDS } from '../../src/web/http-errors.js';
import { JOB_FAILURE_WORDS as WEB, jobFailureMessage } from '../../src/web/job-failure-words.js';
import { jobRecord } from '../support/job-fixtures.js';

const ADAPTERS: Array<[string, JobFailureWords]> = [
  ['discord', DISCORD],
  ['slack', SLACK],
  ['web', WEB],
];

/** Every detail any code may carry, so each code's words are tried with and without them. */
const ALL_DETAILS = { node: '3', nodeType: 'ImageBlur', input: 'steps', problem: 'value_bigger_than_max', field: 'lora.name' };

describe.each(ADAPTERS)('the %s words', (_name, words) => {
  test('cover exactly the core codes, each with words with or without details', () => {
    expect(Object.keys(words).sort()).toEqual([...JOB_FAILURE_CODES].sort());
    for (const code of JOB_FAILURE_CODES) {
      for (const raw of [{}, ALL_DETAILS]) {
        const text = describeJobFailure(words, code, raw);
        expect(text.trim().length, `${code} with ${JSON.stringify(raw)}`).toBeGreaterThan(10);
        expect(text).not.toMatch(/undefined|null|\[object/);
      }
    }
  });

  test('an execution failure names the step and node', () => {
    expect(describeJobFailure(words, 'execution_failed', { nodeType: 'ImageBlur', node: '3' })).toBe('The image server failed while running step “ImageBlur” (node 3).');
  });

  test('a code outside the set (an old row) still gets the words for internal', () => {
    expect(describeJobFailure(words, 'gone_code', { node: '1' })).toBe(describeJobFailure(words, 'internal', {}));
    expect(describeJobFailure(words, undefined)).toBe(describeJobFailure(words, 'internal', {}));
  });
});

test('details read back keep only the fields of their code, as short text', () => {
  expect(detailsOf('execution_failed', { node: 3, nodeType: 'KSampler', exception: 'RuntimeError: boom', extra: { a: 1 } })).toEqual({ node: '3', nodeType: 'KSampler' });
  expect(detailsOf('backend_unreachable', ALL_DETAILS)).toEqual({});
  expect(detailsOf('execution_failed', { nodeType: 'x'.repeat(500) }).nodeType).toHaveLength(80);
});

test('the adapters add their markup: Discord escapes markdown in names, Slack escapes mrkdwn, the web is plain', () => {
  const error = { code: 'execution_failed', details: { nodeType: 'My_*Node*', node: '<@U1>' }, ref: 'r-9' };
  expect(describeJobError(error)).toContain('My\\_\\*Node\\*');
  expect(describeJobError(error)).not.toContain('<@');
  expect(jobFailureText(error)).toContain('&lt;@U1&gt;');
  expect(jobFailureText(error)).toContain('r-9');
  expect(jobFailureMessage(error.code, error.details)).toBe('The image server failed while running step “My_*Node*” (node <@U1>).');
});

describe('the worker writes no prose', () => {
  test('a GenerationError has a code and details, and no words for users', () => {
    const error = new GenerationError('execution_failed', { node: '3', nodeType: 'KSampler' }, 'never', { adminText: 'RuntimeError: Argument #4: Padding size' });
    expect(Object.keys(error)).not.toContain('userMessage');
    expect(error).toMatchObject({ code: 'execution_failed', details: { node: '3', nodeType: 'KSampler' }, retry: 'never', adminText: 'RuntimeError: Argument #4: Padding size' });
  });

  test('no source file passes a sentence where the details go', async () => {
    const root = join(import.meta.dirname, '../../src');
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(join(root, file), 'utf8');
      // new GenerationError('code', <details>...): the second argument is details, never a sentence.
      for (const match of text.matchAll(/new GenerationError\(\s*'[a-z_]+',\s*['"`]/g)) offenders.push(`${file}: ${match[0]}`);
    }
    expect(files.length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});

test('a job failed before codes had details (prose in the row) still reads sensibly, without that prose', () => {
  const old = fromRecord(jobRecord({ status: 'failed', errorCode: 'execution_failed', errorDetails: 'The image server failed while running KSampler (node 3): RuntimeError: Padding size', errorRef: 'r-old' }), []);
  const discord = JSON.stringify(renderDiscord(old, { mode: 'interaction', projectUrl: () => 'http://x/p', links: { url: (id) => `http://x/${id}` }, attachmentLimit: 1 }));
  const slack = JSON.stringify(renderSlack(old, { project: 'http://x/p' }));
  for (const reply of [discord, slack]) {
    expect(reply).toContain('The image server failed while running the workflow.');
    expect(reply).toContain('r-old');
    expect(reply).not.toContain('Padding');
  }
});

describe('request failures (the core outcome codes)', () => {
  const bare = (code: FailureCode) => refuse(code, {});
  const ADAPTER_WORDS: Array<[string, (f: Failure) => string]> = [
    ['discord', (f) => describeFailure(f, 'generate', 0)],
    ['slack', failureText],
    ['web', (f) => WEB_FAILURE_WORDS[f.code](f)],
  ];

  test.each(ADAPTER_WORDS)('the %s words cover every code, also without a problem', (_name, words) => {
    for (const code of FAILURE_CODES) {
      for (const failure of [bare(code), { ...fail({ reason: 'project_unknown', slug: 'x' }, { field: 'project', reason: 'nsfw', retryAfterMs: 5000, ref: 'r-1' }), code }]) {
        const text = words(failure);
        expect(text.trim().length, code).toBeGreaterThan(5);
        expect(text).not.toMatch(/undefined|null|\[object/);
      }
    }
    expect(Object.keys(WEB_FAILURE_WORDS).sort()).toEqual([...FAILURE_CODES].sort());
    expect(Object.keys(SLACK_FAILURE_WORDS).sort()).toEqual([...FAILURE_CODES].sort());
  });

  test("a content refusal names its rule in every adapter, and the core's refusal has no prose", () => {
    const refusal = refuse('content_refused', { reason: 'blocklist' });
    expect(refusal.problem).toBeUndefined();
    expect(describeFailure(refusal, 'generate')).toMatch(/blocked/);
    expect(failureText(refusal)).toMatch(/blocked/);
    expect(WEB_FAILURE_WORDS.content_refused(refusal)).toMatch(/blocked/);
  });
});
