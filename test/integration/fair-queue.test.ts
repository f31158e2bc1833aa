import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import type { JobEvent } from '../../src/core/events.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createStubGenerator } from '../support/stub-generator.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    worker: false,
    web: false,
    env: { MAX_PENDING_PER_USER: '100', RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_BURST: '1000' },
  });
});
afterAll(async () => {
  await stack.close();
});

function actor(user: string): Actor {
  return { platform: 'web', spaceExternalId: 'fair', userExternalId: user, platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' };
}

test('one user queues 100 jobs, ten others one each: each of the ten starts within 11 slots', async () => {
  const { service } = stack.runtime;
  const owners = new Map<string, string>();
  for (let i = 0; i < 100; i++) {
    const result = await service.submit(actor('heavy'), { prompt: `heavy ${i}`, width: 64, height: 64, steps: 1 });
    if (!result.ok) throw new Error(JSON.stringify(result));
    owners.set(result.value.job.id, 'heavy');
  }
  for (let u = 0; u < 10; u++) {
    const result = await service.submit(actor(`light-${u}`), { prompt: `light ${u}`, width: 64, height: 64, steps: 1 });
    if (!result.ok) throw new Error(JSON.stringify(result));
    owners.set(result.value.job.id, `light-${u}`);
    // The position reported at submission already reflects the fair order.
    expect(result.value.position).toBeLessThanOrEqual(2 + u);
  }

  const started: string[] = [];
  const allDone = new Promise<void>((resolve) => {
    let completed = 0;
    void stack.runtime.events.subscribe((event: JobEvent) => {
      if (event.type === 'started') started.push(owners.get(event.jobId) ?? '?');
      if (event.type === 'completed' && ++completed === 110) resolve();
    });
  });
  await stack.startWorker({ generator: await createStubGenerator() });
  await allDone;

  const lightSlots = started.flatMap((owner, slot) => (owner.startsWith('light') ? [slot + 1] : []));
  expect(lightSlots).toHaveLength(10);
  for (const slot of lightSlots) expect(slot).toBeLessThanOrEqual(11);
});
