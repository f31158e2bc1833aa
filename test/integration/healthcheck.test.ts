import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Heartbeat, heartbeatKey, isAlive } from '../../src/infra/heartbeat.js';
import { composeCommand, composeHealthcheck, spawnContainerCommand } from '../support/container-commands.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let child: ChildProcess | undefined;

beforeEach(async () => {
  stack = await startTestStack({ web: false, worker: false });
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
  await stack.close();
});

const containerEnv = () => ({ ...stack.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' });

/** Runs the compose file's health check for a service, as Docker would inside its container. */
async function healthcheck(service: string): Promise<number | null> {
  const proc = spawnContainerCommand(composeHealthcheck(service), containerEnv());
  proc.stderr?.resume();
  const [code] = (await once(proc, 'exit')) as [number | null];
  return code;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the worker container health check: unhealthy before start, healthy while running, unhealthy once stopped', { timeout: 120_000 }, async () => {
  expect(await healthcheck('worker')).toBe(1);

  child = spawnContainerCommand(composeCommand('worker'), containerEnv());
  child.stderr?.resume();
  const key = heartbeatKey(stack.env.QUEUE_PREFIX!, ['worker']);
  await until('the worker heartbeat', () => isAlive(stack.runtime.redis, key));
  expect(await healthcheck('worker')).toBe(0);

  child.kill('SIGTERM');
  await once(child, 'exit');
  expect(await healthcheck('worker')).toBe(1);
});

test('a heartbeat marks the process alive only while its parts are healthy, and clears on stop', async () => {
  const key = heartbeatKey(stack.env.QUEUE_PREFIX!, ['discord']);
  let healthy = false;
  const heartbeat = new Heartbeat(stack.runtime.redis, key, () => healthy, 50);
  await heartbeat.start();
  expect(await isAlive(stack.runtime.redis, key)).toBe(false);
  healthy = true;
  await until('a beat', () => isAlive(stack.runtime.redis, key), 5_000);
  // Unhealthy again: no more beats, so the mark expires (three beats' lifetime).
  healthy = false;
  await until('the mark to expire', async () => !(await isAlive(stack.runtime.redis, key)), 5_000);
  healthy = true;
  await until('a beat', () => isAlive(stack.runtime.redis, key), 5_000);
  await heartbeat.stop();
  expect(await isAlive(stack.runtime.redis, key)).toBe(false);
});
