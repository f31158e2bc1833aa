import { expect, test } from 'vitest';
import { renderReply as renderDiscord, type RenderContext } from '../../src/bots/discord/render.js';
import { viewFromEvent } from '../../src/bots/discord/views.js';
import { renderReply as renderSlack } from '../../src/bots/slack/reply/reply-view.js';
import type { JobEvent } from '../../src/core/events.js';
import type { JobRecord } from '../../src/core/records.js';
import { eventJson } from '../../src/web/job-json.js';

const event: JobEvent = { type: 'retrying', jobId: '6f1c7a52-4b8e-4c1a-9d51-0a3c2b7e9f10', at: 1, reason: 'worker_stopped', attempt: 1 };

test('a retry after a worker stopped reads as such in Discord, Slack and the web stream', () => {
  const ctx = { mode: 'interaction', attachmentLimit: 1 } as unknown as RenderContext;
  const discord = renderDiscord({ jobId: event.jobId, prompt: 'a fox', userId: '1', projectSlug: 'general' }, viewFromEvent(event as Exclude<JobEvent, { type: 'completed' }>), ctx);
  expect(discord.body.content).toContain('Retrying after a worker stopped');

  const slack = renderSlack({ promptSent: 'a fox', negativeSent: null } as unknown as JobRecord, { kind: 'retrying', reason: 'worker_stopped' }, { project: 'https://x' });
  expect(slack.text + JSON.stringify(slack.blocks)).toContain('Retrying after a worker stopped');

  expect(eventJson(event, {} as never)).toMatchObject({ type: 'retrying', reason: 'worker_stopped', progress: 0 });
});
