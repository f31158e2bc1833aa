import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { renderReply as renderDiscord } from '../../src/bots/discord/render.js';
import { renderReply as renderSlack } from '../../src/bots/slack/reply/reply-view.js';
import { fromRecord } from '../../src/core/job-message/model.js';
import { createLogger } from '../../src/shared/logger.js';
import { startComfyUiHarness, type ComfyUiHarness } from '../fakes/comfyui/harness.js';
import { api } from '../support/api.js';
import { readSse, startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 12: a ComfyUI node raising at run time. The user hears that the image server failed and on
 * which step; the exception's text reaches the log and the admins' view of the job, nothing else.
 */
const EXCEPTION = 'Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (512, 512) at dimension 3';
const WORDS = 'The image server failed while running step “KSampler” (node 3).';

let comfy: ComfyUiHarness;
let stack: TestStack;
const logLines: string[] = [];

beforeAll(async () => {
  comfy = await startComfyUiHarness();
  const log = createLogger({ level: 'info', secrets: [], destination: new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString()), done()) }) });
  stack = await startTestStack({ worker: false, log });
});

afterAll(async () => {
  await stack?.close();
  await comfy?.cleanup();
});

test('a run-time exception: plain words and the step for users, the exception for admins and the log', async () => {
  comfy.fake.script.failure = { node: 'KSampler', exceptionType: 'RuntimeError', message: `${EXCEPTION}\nTraceback (most recent call last):\n  File "/home/comfy/ComfyUI/execution.py"` };
  const creator = await stack.token('aiko', 'creator');
  const admin = await stack.token('boss', 'admin');
  const created = await api(stack, 'POST', '/api/anime/generate', creator, { prompt: 'a fox in the snow', width: 256, height: 256, steps: 4 });
  expect(created.status).toBe(202);
  const jobId = created.json.job_id as string;

  const stream = await fetch(`${stack.baseUrl}/api/anime/generation/${jobId}/events`, { headers: { authorization: `Bearer ${creator}` } });
  await stack.startWorker({ generator: comfy.generator });
  const events = await readSse(stream);
  const failed = events.at(-1)!;
  expect(failed.event).toBe('failed');
  expect(failed.data).toMatchObject({ code: 'execution_failed', message: WORDS, details: { node: '3', nodeType: 'KSampler' }, will_retry: false });
  expect(JSON.stringify(events)).not.toContain('Padding');

  const asCreator = await api(stack, 'GET', `/api/anime/generation/${jobId}/status`, creator);
  expect(asCreator.json.error).toMatchObject({ code: 'execution_failed', message: WORDS, details: { node: '3', nodeType: 'KSampler' } });
  expect(JSON.stringify(asCreator.json)).not.toContain('Padding');

  const asAdmin = await api(stack, 'GET', `/api/anime/generation/${jobId}/status`, admin);
  expect(asAdmin.json.error).toMatchObject({ code: 'execution_failed', message: WORDS });
  expect(asAdmin.json.error.admin_text).toBe(`RuntimeError: ${EXCEPTION}`);
  expect(asAdmin.json.error.admin_text).not.toMatch(/Traceback|\/home/);

  const record = await stack.runtime.records.getJob(jobId);
  const message = fromRecord(record!, []);
  const discord = JSON.stringify(renderDiscord(message, { mode: 'interaction', projectUrl: () => 'http://x/p', links: { url: (id) => `http://x/${id}` }, attachmentLimit: 10 << 20 }));
  const slack = JSON.stringify(renderSlack(message, { project: 'http://x/p' }));
  for (const reply of [discord, slack]) {
    expect(reply).toContain(WORDS);
    expect(reply).toContain(record!.errorRef!);
    expect(reply).not.toContain('Padding');
    expect(reply).not.toContain('RuntimeError');
  }

  const logged = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'job attempt failed');
  expect(logged).toMatchObject({ jobId, code: 'execution_failed', ref: record!.errorRef, adminText: `RuntimeError: ${EXCEPTION}` });
});
