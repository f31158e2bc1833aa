import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, web: false });
});
afterAll(async () => {
  await stack.close();
});

const actor: Actor = { platform: 'discord', spaceExternalId: 'records', userExternalId: 'mika', platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' };

async function stored(jobId: string) {
  const { rows } = await stack.database.pool.query(
    `SELECT reply IS NULL AS no_reply, reply, request, seed, character_ids, loras, status, stage, priority, created_at, updated_at
     FROM jobs WHERE id = $1`,
    [jobId],
  );
  return rows[0] as Record<string, unknown>;
}

test('the prepared insert records the request as given: no reply is SQL NULL (not JSON null), a reply is kept as an object', async () => {
  const plain = await stack.runtime.service.submit(actor, { prompt: 'a lantern on a quiet river', width: 64, height: 64, seed: 4_294_967_295, steps: 2 });
  if (!plain.ok) throw new Error(JSON.stringify(plain));
  const row = await stored(plain.value.job.id);
  expect(row).toMatchObject({ no_reply: true, reply: null, status: 'queued', stage: 'queued', character_ids: [], loras: [] });
  expect(row.request).toMatchObject({ prompt: 'a lantern on a quiet river', seed: 4_294_967_295, width: 64, height: 64, steps: 2 });
  // bigint comes back from pg as text; the record maps it to the same number.
  expect(String(row.seed)).toBe('4294967295');
  expect(plain.value.job.seed).toBe(4_294_967_295);
  expect(plain.value.job.createdAt.getTime()).toBe((row.created_at as Date).getTime());

  const replied = await stack.runtime.service.submit(actor, { prompt: 'a lantern on a quiet lake', width: 64, height: 64, steps: 2 }, { platform: 'discord', channelId: '42', token: 'interaction' });
  if (!replied.ok) throw new Error(JSON.stringify(replied));
  expect(await stored(replied.value.job.id)).toMatchObject({ no_reply: false, reply: { platform: 'discord', channelId: '42', token: 'interaction' } });
  expect(replied.value.job.reply).toEqual({ platform: 'discord', channelId: '42', token: 'interaction' });
});

test('each job gets its own creation time from the server, not one frozen when the statement was prepared', async () => {
  const rin = { ...actor, userExternalId: 'rin' };
  const first = await stack.runtime.service.submit(rin, { prompt: 'first of two', width: 64, height: 64, steps: 1 });
  if (!first.ok) throw new Error(JSON.stringify(first));
  const second = await stack.runtime.service.submit(rin, { prompt: 'second of two', width: 64, height: 64, steps: 1 });
  if (!second.ok) throw new Error(JSON.stringify(second));
  expect(second.value.job.createdAt.getTime()).toBeGreaterThan(first.value.job.createdAt.getTime());
  expect(second.value.position).toBeGreaterThan(first.value.position);
});
