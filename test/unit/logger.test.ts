import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createLogger, wantsPrettyLogs } from '../../src/shared/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { lines, destination };
}

test('secret values never reach a log line, wherever they hide', () => {
  const { lines, destination } = capture();
  const secret = 'xoxb-1234-SECRET-token';
  const log = createLogger({ level: 'info', secrets: [secret, 'hunter22'], destination });
  log.info({ url: `https://x.example/?t=${secret}` }, 'calling out');
  log.error({ err: new Error(`auth failed for ${secret}`) }, 'failed');
  log.info(`password is hunter22`);
  log.info({ token: 'any-token', headers: { authorization: 'Bearer abc.def.ghi' } }, 'request');
  const all = lines.join('');
  expect(lines).toHaveLength(4);
  expect(all).not.toContain(secret);
  expect(all).not.toContain('hunter22');
  expect(all).not.toContain('any-token');
  expect(all).not.toContain('abc.def.ghi');
  expect(all).toContain('[redacted]');
  for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
});

test('pretty lines for a terminal, and the same secrets stay out of them', () => {
  const { lines, destination } = capture();
  const secret = 'xoxb-1234-"quoted"-SECRET';
  const log = createLogger({ level: 'info', secrets: [secret, 'hunter22'], destination, pretty: true });
  log.info({ url: `https://x.example/?t=${secret}` }, 'calling out');
  log.error({ err: new Error(`auth failed for ${secret}`) }, 'failed');
  log.info(`password is hunter22`);
  log.info({ token: 'any-token', headers: { authorization: 'Bearer abc.def.ghi' } }, 'request');
  const all = lines.join('');
  // Human lines: level word and message first, not a JSON object.
  expect(all).toMatch(/INFO.*: calling out/);
  expect(all).toMatch(/ERROR.*: failed/);
  expect(lines.some((line) => line.trimStart().startsWith('{"level"'))).toBe(false);
  for (const hidden of [secret, JSON.stringify(secret).slice(1, -1), 'hunter22', 'any-token', 'abc.def.ghi']) expect(all).not.toContain(hidden);
  expect(all).toContain('[redacted]');
});

test('pretty only in a terminal outside production; JSON for pipes, files and production', () => {
  expect(wantsPrettyLogs('development', { isTTY: true })).toBe(true);
  expect(wantsPrettyLogs('test', { isTTY: true })).toBe(true);
  expect(wantsPrettyLogs('production', { isTTY: true })).toBe(false);
  expect(wantsPrettyLogs('development', { isTTY: false })).toBe(false);
  expect(wantsPrettyLogs('development', {})).toBe(false);
});
