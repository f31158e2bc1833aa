import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, secretValues } from '../../src/config.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ap-config-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: dataDir, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  test('a fresh machine needs nothing: the defaults of DESIGN.md', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.PORT).toBe(8330);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/anime_production');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.STORAGE_DIR).toBe(join(dataDir, 'media'));
    expect(config.COMFYUI_URL).toBeUndefined();
    expect(config.PUBLIC_URL).toBe('http://localhost:8330');
  });

  test('one line per problem, naming the variable, what is wrong and what is expected', () => {
    const lines = problems({ PORT: 'eighty', DATABASE_URL: 'mysql://x', WORKER_CONCURRENCY: '0', COMFYUI_URL: 'not a url' });
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith('PORT:'))).toMatch(/whole number.*got "eighty"/);
    expect(lines.find((l) => l.startsWith('DATABASE_URL:'))).toMatch(/postgres/);
    expect(lines.find((l) => l.startsWith('WORKER_CONCURRENCY:'))).toMatch(/at least 1/);
    expect(lines.find((l) => l.startsWith('COMFYUI_URL:'))).toMatch(/http/);
  });

  test('COMFYUI_URLS declares named backends beside COMFYUI_URL (named comfyui); their passwords are scrubbed from logs', () => {
    const config = loadConfig({ DATA_DIR: dataDir, COMFYUI_URL: 'http://gpu0:8188', COMFYUI_URLS: ' gpu1=http://gpu1:8188 , video=https://farmer:s3cret-pass@gpu2:8443 ' });
    expect(config.backends).toEqual([
      { name: 'comfyui', url: 'http://gpu0:8188' },
      { name: 'gpu1', url: 'http://gpu1:8188' },
      { name: 'video', url: 'https://farmer:s3cret-pass@gpu2:8443' },
    ]);
    expect(config.models).toEqual([{ id: 'default', label: 'Default' }]);
    expect(secretValues(config)).toContain('s3cret-pass');
    expect(loadConfig({ DATA_DIR: dataDir }).backends).toEqual([]);
  });

  test('a bad COMFYUI_URLS entry is one line each, never showing the URL\'s credentials', () => {
    const lines = problems({ COMFYUI_URLS: 'http://u:hidden1@a:1,Big=http://b:2,ok=ftp://c,ok=http://d:3,ok=http://e:4', COMFYUI_URL: 'http://x:1' });
    expect(lines).toEqual([
      'COMFYUI_URLS: an entry for a:1 is not name=url',
      'COMFYUI_URLS: name "Big" must be 1-32 lowercase letters, digits, dash or underscore',
      'COMFYUI_URLS: ok needs a URL starting with http:// or https://',
      'COMFYUI_URLS: the name ok is used twice',
    ]);
    expect(lines.join('\n')).not.toContain('hidden1');
    expect(problems({ COMFYUI_URLS: 'comfyui=http://a:1', COMFYUI_URL: 'http://b:2' })).toEqual(['COMFYUI_URLS: the name comfyui is used twice']);
    expect(problems({ BACKEND_PROBE_MS: '5' })).toEqual(['BACKEND_PROBE_MS: expected at least 100 (got "5")']);
  });

  test('production refuses a missing or weak APP_SECRET and never echoes it', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^APP_SECRET: required in production/)]);
    const weak = problems({ NODE_ENV: 'production', APP_SECRET: 'password123' });
    expect(weak).toEqual([expect.stringMatching(/^APP_SECRET: too weak/)]);
    expect(weak.join('\n')).not.toContain('password123');
    expect(problems({ NODE_ENV: 'production', APP_SECRET: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).toEqual([expect.stringMatching(/too weak/)]);
    expect(problems({ NODE_ENV: 'production', APP_SECRET: '0123456789abcdef0123456789abcdef' })).toEqual([]);
  });

  test('development generates one secret, keeps it private under DATA_DIR, and reuses it', async () => {
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.appSecretGenerated).toBe(true);
    expect(first.APP_SECRET).toMatch(/^[0-9a-f]{64}$/);
    const file = join(dataDir, 'app-secret');
    expect((await readFile(file, 'utf8')).trim()).toBe(first.APP_SECRET);
    expect((await stat(file)).mode & 0o077).toBe(0);
    expect(loadConfig({ DATA_DIR: dataDir }).APP_SECRET).toBe(first.APP_SECRET);
  });

  test('bot credentials come in pairs', () => {
    expect(problems({ DISCORD_TOKEN: 'abc.def.ghi' })).toEqual([expect.stringMatching(/^DISCORD_APP_ID: required/)]);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET: required/)]);
  });

  test('TRUST_PROXY takes addresses, CIDRs and named ranges; anything else is refused by name', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).TRUST_PROXY).toEqual([]);
    expect(loadConfig({ DATA_DIR: dataDir, TRUST_PROXY: ' 10.0.0.5, 10.1.0.0/16,fd00::/8 ,loopback' }).TRUST_PROXY).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8', 'loopback']);
    for (const bad of ['true', '10.0.0.0/33', '::1/129', 'proxy.example.com', '10.0.0.1/8/1', '10.0.0.300']) {
      expect(problems({ TRUST_PROXY: bad }), bad).toEqual([expect.stringMatching(/^TRUST_PROXY: expected addresses or CIDRs/)]);
    }
  });

  test('secretValues lists every secret, including passwords inside URLs', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://app:s3cr%40t-pass@db:5432/x',
      REDIS_URL: 'redis://:redis-pass-1@cache:6379',
      DISCORD_TOKEN: 'discord-token-value',
      DISCORD_APP_ID: '123456789012',
    });
    expect(secretValues(config)).toEqual(expect.arrayContaining([config.APP_SECRET, 'discord-token-value', 's3cr@t-pass', 'redis-pass-1']));
  });
});
