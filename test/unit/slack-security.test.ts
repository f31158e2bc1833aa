import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { escapeSlackText, clip } from '../../src/bots/slack/escape.js';
import { TokenSealer } from '../../src/bots/slack/reply/reply-handle.js';
import { verifySlackSignature } from '../../src/bots/slack/fastify-receiver.js';

const SECRET = 'unit-signing-secret';
const NOW = 1_700_000_000_000;
const sign = (ts: number, body: string, secret = SECRET) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

describe('Slack request signatures', () => {
  const body = 'token=x&command=%2Fgenerate&text=a+cat';
  const ts = NOW / 1000;
  const verify = (timestamp: string | undefined, signature: string | undefined, raw = body) =>
    verifySlackSignature({ signingSecret: SECRET, timestamp, signature, rawBody: Buffer.from(raw), nowMs: NOW });

  test('a correct signature passes', () => {
    expect(verify(String(ts), sign(ts, body))).toEqual({ ok: true });
  });
  test('a wrong secret, a changed body or a missing header fails', () => {
    expect(verify(String(ts), sign(ts, body, 'other'))).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(String(ts), sign(ts, body), `${body}&x=1`)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(undefined, sign(ts, body))).toEqual({ ok: false, reason: 'missing' });
    expect(verify(String(ts), undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verify(String(ts), 'v1=abc')).toEqual({ ok: false, reason: 'missing' });
  });
  test('older or newer than five minutes is stale', () => {
    expect(verify(String(ts - 301), sign(ts - 301, body))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(String(ts + 301), sign(ts + 301, body))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(String(ts - 299), sign(ts - 299, body))).toEqual({ ok: true });
  });
});

describe('escaping user text', () => {
  test('disarms every Slack mention form', () => {
    expect(escapeSlackText('<!channel> <!here|here> <!everyone> <@U123> <!subteam^S1|@g> & <#C1>')).toBe(
      '&lt;!channel&gt; &lt;!here|here&gt; &lt;!everyone&gt; &lt;@U123&gt; &lt;!subteam^S1|@g&gt; &amp; &lt;#C1&gt;',
    );
    expect(escapeSlackText('hi @channel @HERE @everyone')).toBe('hi @\u2060channel @\u2060HERE @\u2060everyone');
    expect(escapeSlackText('&lt;')).toBe('&amp;lt;');
  });
  test('clipping never leaves half an escape', () => {
    expect(clip('abc&amp;def', 6)).toBe('abc…');
    expect(clip('short', 10)).toBe('short');
  });
});

test('workflow tokens are sealed and only open with the same secret', () => {
  const sealer = new TokenSealer('a'.repeat(64));
  const sealed = sealer.seal('xwfp-secret-token');
  expect(sealed).not.toContain('xwfp');
  expect(sealer.open(sealed)).toBe('xwfp-secret-token');
  expect(new TokenSealer('b'.repeat(64)).open(sealed)).toBeUndefined();
  expect(sealer.open('garbage')).toBeUndefined();
});
