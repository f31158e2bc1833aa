import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';

const CHANNEL = 'C0FLOWS001';
const NAO = 'U0NAO00001';
const GUEST = 'U0GUEST002';

let s: SlackStack;
beforeAll(async () => {
  s = await startSlackStack({
    fake: {
      teamId: 'T0WORKFLOW',
      users: [{ id: NAO, name: 'nao' }, { id: GUEST, name: 'guest', is_ultra_restricted: true }],
      channels: [{ id: CHANNEL, name: 'flows' }],
    },
    env: { BUILTIN_STEP_DELAY_MS: '20' },
  });
});
afterAll(async () => {
  await s?.close();
  expect(s?.fake.internalErrors ?? []).toEqual([]);
});

describe('Workflow Builder step generate_image', () => {
  test('success: the job runs, the message lands in the channel, and completeSuccess carries the outputs', async () => {
    const run = await s.driver.functionExecuted({
      callback_id: 'generate_image',
      inputs: { prompt: 'a red kite over the dunes', negative_prompt: 'blurry', channel: CHANNEL, user: NAO },
    });
    expect(run.status).toBe(200);
    const done = await s.fake.waitFor(() => s.fake.functionCompletions.find((c) => c.function_execution_id === run.execution.function_execution_id), 15_000);
    expect(done).toMatchObject({ method: 'functions.completeSuccess', token: run.execution.bot_access_token });
    const outputs = done.outputs as { image_url: string; project_url: string; job_id: string };
    expect(outputs.project_url).toMatch(new RegExp(`^${s.stack.baseUrl}/gallery/[0-9a-f-]{36}/p/general\\?pass=v1\\.`));
    const job = await s.stack.runtime.records.getJob(outputs.job_id);
    expect(job).toMatchObject({ status: 'completed', promptSent: 'a red kite over the dunes' });
    expect(job?.negativeSent).toContain('blurry');
    // The signed media link serves the image.
    const image = await fetch(outputs.image_url);
    expect(image.status).toBe(200);
    expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).format).toBe('png');
    const message = s.fake.messages(CHANNEL).find((m) => !m.thread_ts && m.text.includes('a red kite'));
    expect(message?.history[0]?.text).toMatch(/^Queued/);
    expect(s.fake.thread(CHANNEL, message!.ts).some((m) => m.files?.length)).toBe(true);
    // The workflow token is not stored in the clear.
    expect(JSON.stringify(job?.reply)).not.toContain(run.execution.bot_access_token);
  });

  test('refusal: a guest running the workflow fails the step with the reason, and nothing is queued', async () => {
    const run = await s.driver.functionExecuted({ callback_id: 'generate_image', inputs: { prompt: 'a kite', channel: CHANNEL, user: GUEST } });
    expect(run.status).toBe(200);
    const done = await s.fake.waitFor(() => s.fake.functionCompletions.find((c) => c.function_execution_id === run.execution.function_execution_id));
    expect(done.method).toBe('functions.completeError');
    expect(done.error).toMatch(/does not allow generating images/);
    expect(s.fake.messages(CHANNEL).filter((m) => m.text.includes('a kite') && !m.text.includes('red kite'))).toEqual([]);
  });

  test('model input: a named model is the one the job runs on', async () => {
    const run = await s.driver.functionExecuted({ callback_id: 'generate_image', inputs: { prompt: 'a lantern on a boat', model: 'Built-in renderer', channel: CHANNEL, user: NAO } });
    const done = await s.fake.waitFor(() => s.fake.functionCompletions.find((c) => c.function_execution_id === run.execution.function_execution_id), 15_000);
    expect(done.method).toBe('functions.completeSuccess');
    const job = await s.stack.runtime.records.getJob((done.outputs as { job_id: string }).job_id);
    expect(job).toMatchObject({ status: 'completed', model: 'builtin', modelName: 'Built-in renderer' });
  });

  test('refusal: an unknown model fails the step naming the choices, and nothing is queued', async () => {
    const run = await s.driver.functionExecuted({ callback_id: 'generate_image', inputs: { prompt: 'a lantern in fog', model: 'pony', channel: CHANNEL, user: NAO } });
    const done = await s.fake.waitFor(() => s.fake.functionCompletions.find((c) => c.function_execution_id === run.execution.function_execution_id));
    expect(done).toMatchObject({
      method: 'functions.completeError',
      error: 'That request doesn\'t work: model: no model named "pony"; choose one of: builtin (Built-in renderer).',
    });
    expect(s.fake.messages(CHANNEL).filter((m) => m.text.includes('a lantern in fog'))).toEqual([]);
  });

  test('refusal: missing inputs fail the step clearly', async () => {
    const run = await s.driver.functionExecuted({ callback_id: 'generate_image', inputs: { prompt: '', channel: CHANNEL } });
    const done = await s.fake.waitFor(() => s.fake.functionCompletions.find((c) => c.function_execution_id === run.execution.function_execution_id));
    expect(done).toMatchObject({ method: 'functions.completeError', error: 'The step needs a prompt.' });
  });

  test('a step whose job is still running completes after the Slack part restarts', async () => {
    const run = await s.driver.functionExecuted({ callback_id: 'generate_image', inputs: { prompt: 'a paper boat on a pond', channel: CHANNEL, user: NAO } });
    await s.fake.waitFor(() => s.fake.messages(CHANNEL).find((m) => m.text.includes('a paper boat')));
    await s.restartSlack();
    const done = await s.fake.waitFor(() => s.fake.functionCompletions.find((c) => c.function_execution_id === run.execution.function_execution_id), 15_000);
    expect(done.method).toBe('functions.completeSuccess');
  });
});
