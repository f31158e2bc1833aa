import { expect, test } from 'vitest';
import { WorkspaceLimiter } from '../../src/bots/slack/reply/workspace-limiter.js';

test('each workspace has its own budget, and stopping drops what still waits', async () => {
  // One call a minute: a second call in the same workspace waits, another workspace does not.
  const limiter = new WorkspaceLimiter(1);
  const ran: string[] = [];
  const call = (name: string) => async () => {
    ran.push(name);
    return name;
  };
  await expect(limiter.schedule('T1', 'progress', call('t1-first'))).resolves.toBe('t1-first');
  const waiting = limiter.schedule('T1', 'progress', call('t1-second'));
  waiting.catch(() => undefined);
  await expect(limiter.schedule('T2', 'final', call('t2-first'))).resolves.toBe('t2-first');
  expect(ran).toEqual(['t1-first', 't2-first']);
  expect(limiter.workspaces().sort()).toEqual(['T1', 'T2']);
  await limiter.stop();
  await expect(waiting).rejects.toThrow();
  expect(ran).toEqual(['t1-first', 't2-first']);
  await expect(limiter.schedule('T1', 'final', call('late'))).rejects.toThrow(/stopped/);
});

test('an idle workspace gives its limiter back', async () => {
  const limiter = new WorkspaceLimiter(60_000, { idleMs: 40 });
  await limiter.schedule('T1', 'progress', async () => undefined);
  expect(limiter.workspaces()).toEqual(['T1']);
  await expect.poll(() => limiter.workspaces(), { timeout: 5_000, interval: 20 }).toEqual([]);
  await limiter.stop();
});
