import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeComfyUi } from '../fakes/comfyui/server.js';
import { ALICE, OWNER, startHarness, type Harness } from './discord-harness.js';

/** `/backend` in Discord: admins list, drain and resume the farm's backends; members are refused. */
const EPHEMERAL = 64;
let h: Harness;
let box: FakeComfyUi;

beforeAll(async () => {
  box = await FakeComfyUi.start();
  const { port } = new URL(box.url);
  h = await startHarness({ worker: false, env: { COMFYUI_URLS: `gpu1=http://farmer:s3cret-pass@127.0.0.1:${port}` } });
});
afterAll(async () => {
  await h?.close();
  await box?.close();
});

async function privateAnswer(handle: ReturnType<Harness['command']>) {
  const answer = await handle.original((m) => m.content !== '');
  expect(answer.flags & EPHEMERAL).toBe(EPHEMERAL);
  return answer.content;
}

const sub = (name: string, backend?: string) => [{ name, type: 1, options: backend === undefined ? [] : [{ name: 'name', type: 3, value: backend }] }];

test('an admin lists the backends by name and host:port, drains and resumes one; a member is refused and nothing changes', async () => {
  expect(await privateAnswer(h.command(ALICE, 'backend', sub('drain', 'gpu1')))).toBe('Only server admins can see, drain or resume the GPU backends.');
  expect(await privateAnswer(h.command(ALICE, 'backend', sub('list')))).toBe('Only server admins can see, drain or resume the GPU backends.');
  expect((await h.stack.database.pool.query('SELECT * FROM backends')).rows).toEqual([]);

  const listed = await privateAnswer(h.command(OWNER, 'backend', sub('list')));
  expect(listed).toContain(`• **gpu1** \`127.0.0.1:${new URL(box.url).port}\` — no worker serves it`);
  expect(listed).not.toContain('s3cret');
  expect(await privateAnswer(h.command(OWNER, 'backend', sub('drain', 'gpu1')))).toContain('**gpu1** is drained');
  expect((await h.stack.database.pool.query('SELECT name, drained FROM backends')).rows).toEqual([{ name: 'gpu1', drained: true }]);
  expect(await privateAnswer(h.command(OWNER, 'backend', sub('resume', 'GPU1')))).toBe('**gpu1** takes work again.');
  expect(await privateAnswer(h.command(OWNER, 'backend', sub('drain', 'nope')))).toContain('nope');
  const audit = await h.stack.database.pool.query<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'backend.%' ORDER BY id");
  expect(audit.rows.map((r) => r.action)).toEqual(['backend.drained', 'backend.resumed']);
});
