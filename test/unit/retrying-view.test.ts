import { expect, test } from 'vitest';
import { renderReply as renderDiscord } from '../../src/bots/discord/render.js';
import { renderReply as renderSlack } from '../../src/bots/slack/reply/reply-view.js';
import type { JobEvent } from '../../src/core/events.js';
import { apply, fromRecord } from '../../src/core/job-message/model.js';
import { eventJson } from '../../src/web/job-json.js';
import { renderWebView } from '../../src/web/job-view.js';
import { JOB_ID, jobRecord } from '../support/job-fixtures.js';

const retrying: JobEvent = { type: 'retrying', jobId: JOB_ID, at: 30, reason: 'worker_stopped', attempt: 2 };

function messages() {
  const queued = fromRecord(jobRecord({ request: { prompt: 'a fox' } }), [], 1);
  const running = apply(apply(queued, { type: 'started', jobId: JOB_ID, at: 10, attempt: 1, backend: 'builtin' }), { type: 'progress', jobId: JOB_ID, at: 20, step: 7, totalSteps: 20, percent: 34, stage: 'sampling' });
  const retried = apply(running, retrying);
  // The retry's own start follows at once; the reply must still say why the bar starts over.
  const restarted = apply(retried, { type: 'started', jobId: JOB_ID, at: 31, attempt: 2, backend: 'builtin' });
  return { retried, restarted };
}

const discordText = (m: ReturnType<typeof messages>['retried']) =>
  JSON.stringify(renderDiscord(m, { mode: 'interaction', projectUrl: () => 'http://x/p', links: { url: (id) => `http://x/media/${id}` }, attachmentLimit: 10 << 20 }));
const slackText = (m: ReturnType<typeof messages>['retried']) => JSON.stringify(renderSlack(m, { project: 'http://x/p' }));
const webText = (m: ReturnType<typeof messages>['retried']) => renderWebView(m, { mediaUrl: (id) => `http://x/media/${id}`, projectUrl: 'http://x/p' }).text;

test('a retry after a worker stopped reads as such in Discord, Slack and the web stream, also once the retry starts', () => {
  const { retried, restarted } = messages();
  expect(retried.stage).toBe('retrying');
  expect(retried.percent).toBe(0);
  for (const m of [retried, restarted]) {
    expect(discordText(m)).toMatch(/Retrying after a worker stopped/);
    expect(slackText(m)).toMatch(/[Rr]etrying after a worker stopped/);
    expect(webText(m)).toMatch(/^Retrying after a worker stopped/);
  }
  expect(eventJson(retrying, {} as never)).toMatchObject({ type: 'retrying', reason: 'worker_stopped', progress: 0 });
});
