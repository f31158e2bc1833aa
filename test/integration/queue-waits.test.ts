import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import { JobCancelledError } from '../../src/core/errors.js';
import type { JobEvent } from '../../src/core/events.js';
import type { Generator } from '../../src/core/generator.js';
import type { Submitted } from '../../src/core/generate-service.js';
import { apply, fromRecord, type JobMessage } from '../../src/core/job-message/model.js';
import { DEFAULT_MS_PER_UNIT } from '../../src/core/wait/durations.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { createStubGenerator } from '../support/stub-generator.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ worker: false, web: false });
});
afterAll(async () => {
  await stack.close();
});

const actor = (user: string): Actor => ({ platform: 'web', spaceExternalId: 'waits', userExternalId: user, platformRoles: [], isPlatformAdmin: false, grantedRole: 'creator' });
/** A cold farm expects a 20-step image to take this long (nothing measured yet). */
const COLD_JOB_MS = 20 * DEFAULT_MS_PER_UNIT.image!;

test('a queued job\'s message carries an estimate at submission, and it moves earlier as the line ahead finishes', async () => {
  const stub = await createStubGenerator();
  const gates = new Map<string, () => void>();
  const started: string[] = [];
  // Each job holds the backend until the test lets it go, so the line moves only when told.
  const gated: Generator = {
    name: 'gated',
    async generate(input, options) {
      if (options.signal.aborted) throw new JobCancelledError();
      started.push(input.jobId);
      await new Promise<void>((resolve) => {
        gates.set(input.jobId, resolve);
        // A waiter for this gate is woken now: no job event need follow the job's start.
        onEvent?.();
      });
      return stub.generate(input, options);
    },
  };
  const submittedAt = Date.now();
  const jobs: Submitted[] = [];
  for (const user of ['first', 'second', 'third']) {
    const submitted = await stack.runtime.service.submit(actor(user), { prompt: `a lantern for ${user}`, width: 64, height: 64, steps: 20 });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    jobs.push(submitted.value);
  }
  const third = jobs[2]!;
  // One prompt slot (WORKER_CONCURRENCY 1) and two cold jobs ahead: about two job times from now.
  expect(third.eta).toBeDefined();
  expect(third.eta!.approximate).toBe(true);
  expect(third.eta!.startsAt - submittedAt).toBeGreaterThanOrEqual(2 * COLD_JOB_MS - 1_000);
  expect(third.eta!.finishesAt - third.eta!.startsAt).toBe(COLD_JOB_MS);
  expect(jobs[0]!.eta!.startsAt).toBeLessThan(jobs[1]!.eta!.startsAt);

  // The third job's message as every adapter keeps it: from the record, moved by the events.
  let message: JobMessage = fromRecord(third.job, [], third.position, third.eta);
  const seen: JobEvent[] = [];
  let onEvent: (() => void) | undefined;
  await stack.runtime.events.subscribe((event) => {
    seen.push(event);
    if (event.jobId === third.job.id) message = apply(message, event);
    onEvent?.();
  });
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      onEvent = () => {
        if (done()) resolve();
      };
      onEvent();
    });
  const placeOf = (jobId: string) => seen.filter((e): e is Extract<JobEvent, { type: 'queued' }> => e.type === 'queued' && e.jobId === jobId).at(-1);

  await stack.startWorker({ generator: gated });
  await until(() => started.length === 1 && gates.has(jobs[0]!.job.id));
  // The first job finishes long before its expected time; the second starts, and the third is next.
  gates.get(jobs[0]!.job.id)!();
  await until(() => placeOf(third.job.id)?.position === 1 && placeOf(third.job.id)?.eta !== undefined);
  const moved = placeOf(third.job.id)!.eta!;
  expect(moved.startsAt).toBeLessThan(third.eta!.startsAt - COLD_JOB_MS / 2);
  expect(message.position).toBe(1);
  expect(message.eta).toEqual(moved);

  await until(() => gates.has(jobs[1]!.job.id));
  gates.get(jobs[1]!.job.id)!();
  await until(() => gates.has(third.job.id));
  gates.get(third.job.id)!();
  await until(() => message.stage === 'completed');
  expect(message.eta).toBeUndefined();
});
