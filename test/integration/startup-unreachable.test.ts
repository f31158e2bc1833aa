import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/isolation.js';
import { REDIS_URL } from '../support/env.js';
import { freePort } from '../support/stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Far above a prompt exit (a second or two here), far below "retries forever". */
const DEADLINE_MS = 45_000;

vi.setConfig({ testTimeout: DEADLINE_MS + 15_000 });

let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'ap-unreachable-'));
});
afterAll(async () => {
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as a newcomer would; a process still running at the deadline fails the test. */
function run(command: string, args: string[], env: Record<string, string>): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', DATA_DIR: dataDir, APP_SECRET: randomBytes(32).toString('hex'), PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${DEADLINE_MS} ms; stderr so far: ${stderr}`));
    }, DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectOneClearLine(result: Finished, mustContain: string[]): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  for (const part of mustContain) expect(lines[0]).toContain(part);
  // No stack trace anywhere, neither on stderr nor in the log lines on stdout.
  expect(`${result.stderr}${result.stdout}`).not.toMatch(/\n\s+at |\\n\s+at |Unhandled error/);
}

test('npm start with an unreachable Redis prints one line naming it and exits non-zero', async () => {
  const port = await freePort(); // nothing listens there: connecting is refused
  const result = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { DATABASE_URL: database.url, REDIS_URL: `redis://127.0.0.1:${port}` });
  expectOneClearLine(result, ['could not start', `Redis at 127.0.0.1:${port}`, 'connection refused', 'REDIS_URL']);
});

test('npm start with an unreachable PostgreSQL says so in one line, without the password in its URL', async () => {
  const port = await freePort(); // nothing listens there: connecting is refused
  const result = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${port}/anime`, REDIS_URL });
  expectOneClearLine(result, ['could not start', `PostgreSQL at 127.0.0.1:${port}`, 'connection refused', 'DATABASE_URL']);
  expect(result.stderr).not.toContain('s3cret-pw');
});

test('the token CLI with an unreachable PostgreSQL prints one line and exits non-zero', async () => {
  const port = await freePort(); // nothing listens there: connecting is refused
  const result = await run(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', '--user', 'aiko'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/anime` });
  expectOneClearLine(result, [`PostgreSQL at 127.0.0.1:${port}`, 'connection refused']);
  expect(result.stdout).toBe('');
});

test('TOKEN=$(npm run -s token ...) captures the token alone, as the README shows', async () => {
  const result = await run('npm', ['run', '-s', 'token', '--', '--user', 'aiko', '--role', 'creator'], { DATABASE_URL: database.url });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  expect(result.stderr).toMatch(/^token id [0-9a-f-]{36} for aiko of space web \(creator\) expires /);
});
