import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import { JobCancelledError } from '../../src/core/errors.js';
import type { JobEvent } from '../../src/core/events.js';
import type { Generator } from '../../src/core/generator.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createStubGenerator } from '../support/stub-generator.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, web: false });
});
afterAll(async () => {
  await stack.close();
});

const actor = (user: string): Actor => ({ platform: 'web', spaceExternalId: 'places', userExternalId: user, platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' });

test('when a job starts, the jobs behind it are told their new place in line', async () => {
  const stub = await createStubGenerator();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // Holds the first job on the backend, so the places can be read while it runs.
  const gated: Generator = {
    name: 'gated',
    async generate(input, options) {
      if (options.signal.aborted) throw new JobCancelledError();
      await gate;
      return stub.generate(input, options);
    },
  };
  const ids: string[] = [];
  for (const user of ['first', 'second', 'third']) {
    const submitted = await stack.runtime.service.submit(actor(user), { prompt: `a paper boat for ${user}`, width: 64, height: 64, steps: 1 });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    expect(submitted.value.position).toBe(ids.length + 1);
    ids.push(submitted.value.job.id);
  }
  const [first, second, third] = ids as [string, string, string];

  const seen: JobEvent[] = [];
  const updated = new Promise<void>((resolve) => {
    void stack.runtime.events.subscribe((event) => {
      seen.push(event);
      const places = new Map(seen.filter((e) => e.type === 'queued').map((e) => [e.jobId, (e as Extract<JobEvent, { type: 'queued' }>).position]));
      if (places.get(second) === 1 && places.get(third) === 2) resolve();
    });
  });
  await stack.startWorker({ generator: gated });
  await updated;
  expect(seen.find((e) => e.type === 'started')?.jobId).toBe(first);
  expect(seen.some((e) => e.type === 'queued' && e.jobId === first)).toBe(false);
  release();
});
