import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeComfyUi } from '../fakes/comfyui/server.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

/** `/backend` in Slack: admins list, drain and resume the farm's backends; members are refused. */
const CHANNEL = 'C0FARM0001';
const OWNER = 'U0OWNER002';
const MIKA = 'U0MIKA0002';

let s: SlackStack;
let box: FakeComfyUi;
beforeAll(async () => {
  box = await FakeComfyUi.start();
  const { port } = new URL(box.url);
  s = await startSlackStack({
    fake: {
      teamId: 'T0FARM0001',
      users: [
        { id: OWNER, name: 'owner', is_owner: true, is_admin: true },
        { id: MIKA, name: 'mika' },
      ],
      channels: [{ id: CHANNEL, name: 'farm' }],
    },
    env: { COMFYUI_URLS: `gpu1=http://farmer:s3cret-pass@127.0.0.1:${port}` },
    worker: false,
  });
});
afterAll(async () => {
  await s?.close();
  await box?.close();
  expect(s?.fake.internalErrors ?? []).toEqual([]);
});

async function command(userId: string, text: string): Promise<string> {
  const res = await s.driver.slashCommand({ command: '/backend', text, userId, channelId: CHANNEL });
  const post = await s.fake.waitFor(() => s.fake.responseUrls.find((r) => r.url === res.responseUrl)?.posts[0]);
  expect(post.body.response_type).toBe('ephemeral');
  return String(post.body.text);
}

test('an admin lists the backends by name and host:port, never the credentials in the URL', async () => {
  const text = await command(OWNER, 'list');
  expect(text).toContain(`*gpu1* \`127.0.0.1:${new URL(box.url).port}\` — no worker serves it`);
  expect(text).not.toContain('s3cret');
  expect(text).not.toContain('farmer');
});

test('drain and resume by name, audited; a member is refused and nothing changes', async () => {
  expect(await command(MIKA, 'drain gpu1')).toMatch(/admin/i);
  expect((await s.stack.database.pool.query('SELECT * FROM backends')).rows).toEqual([]);
  expect(await command(OWNER, 'drain gpu1')).toContain('*gpu1* is drained');
  expect((await s.stack.database.pool.query('SELECT name, url, drained FROM backends')).rows).toEqual([{ name: 'gpu1', url: null, drained: true }]);
  expect(await command(OWNER, 'list')).toContain('drained');
  expect(await command(OWNER, 'resume gpu1')).toContain('*gpu1* takes work again');
  expect((await s.stack.database.pool.query('SELECT drained FROM backends')).rows).toEqual([{ drained: false }]);
  expect(await command(OWNER, 'drain nope')).toContain('nope');
  expect(await command(OWNER, 'reboot gpu1')).toContain('Usage: `/backend list | drain <name> | resume <name>`');
  const audit = await s.stack.database.pool.query<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'backend.%' ORDER BY id");
  expect(audit.rows.map((r) => r.action)).toEqual(['backend.drained', 'backend.resumed']);
});
