import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { renderReply as renderDiscord } from '../../src/bots/discord/render.js';
import { parseButtonId } from '../../src/bots/discord/custom-ids.js';
import { ACTION_CANCEL, ACTION_DELETE, ACTION_REROLL, renderReply as renderSlack } from '../../src/bots/slack/reply/reply-view.js';
import { renderWebView, type WebJobView } from '../../src/web/job-view.js';
import { apply, buttons, fromRecord, type Button, type JobMessage } from '../../src/core/job-message/model.js';
import { assetRecords, completedRecord, JOB_ID, jobRecord } from '../support/job-fixtures.js';

/** What the contract needs from a renderer: all visible text, and which buttons it offers. */
interface RendererUnderTest {
  name: string;
  /** How the platform writes an instant (ms since 1970) so that its readers see their own clock, or UTC where it cannot. */
  instant(ms: number): string;
  render(m: JobMessage): unknown;
  text(rendered: unknown): string;
  buttons(rendered: unknown): Button[];
  /** The platform's own way of making sure user text pings nobody (the web: it stays plain text). */
  pingsNobody(rendered: unknown): boolean;
  /** Which live preview the rendered message shows (its sequence), if any. */
  previewSeq(rendered: unknown): number | undefined;
}

/** The try page draws views with textContent only: whatever the view says stays text, never markup. */
const PAGE_WRITES_ONLY_TEXT = !/innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(readFileSync(new URL('../../src/web/public/app.js', import.meta.url), 'utf8'));

const SLACK_ACTIONS: Record<string, Button> = { [ACTION_CANCEL]: 'cancel', [ACTION_REROLL]: 'reroll', [ACTION_DELETE]: 'delete' };

const RENDERERS: RendererUnderTest[] = [
  {
    name: 'discord',
    instant: (ms) => `<t:${ms / 1000}:`,
    render: (m) => renderDiscord(m, { mode: 'interaction', projectUrl: (j) => `http://x/p/${j.projectSlug}`, links: { url: (id) => `http://x/media/${id}` }, attachmentLimit: 10 << 20 }),
    text: (r) => JSON.stringify(r),
    pingsNobody: (r) => (r as ReturnType<typeof renderDiscord>).body.allowed_mentions.parse.length === 0,
    buttons: (r) =>
      (r as ReturnType<typeof renderDiscord>).body.components.flatMap((row) => row.components.flatMap((c) => parseButtonId((c as { custom_id: string }).custom_id)?.action ?? [])),
    previewSeq: (r) => {
      const { body, files } = r as ReturnType<typeof renderDiscord>;
      const file = files.find((f) => 'preview' in f);
      if (!file || !('preview' in file)) return undefined;
      // Shown: the embed's image is the uploaded preview, the only attachment kept.
      expect(body.embeds[0]?.image?.url).toBe('attachment://preview.webp');
      expect(body.attachments).toEqual([{ id: 0, filename: 'preview.webp' }]);
      return file.preview.seq;
    },
  },
  {
    name: 'slack',
    instant: (ms) => `<!date^${ms / 1000}^{time}|${new Date(ms).toISOString().slice(11, 16)} UTC>`,
    render: (m) => renderSlack(m, { project: `http://x/p/${m.job.projectSlug}`, preview: (job, seq) => `http://x/media/preview/${job}/${seq}` }),
    text: (r) => JSON.stringify(r),
    pingsNobody: (r) => !/<@U1>|<!everyone>/.test(JSON.stringify(r)),
    buttons: (r) =>
      (r as ReturnType<typeof renderSlack>).blocks.flatMap((b) => (b.type === 'actions' ? b.elements.flatMap((e) => SLACK_ACTIONS[(e as { action_id: string }).action_id] ?? []) : [])),
    previewSeq: (r) => {
      const image = (r as ReturnType<typeof renderSlack>).blocks.find((b) => b.type === 'image') as { image_url?: string } | undefined;
      return image?.image_url ? Number(/\/(\d+)$/.exec(image.image_url)?.[1]) : undefined;
    },
  },
  {
    name: 'web',
    instant: (ms) => new Date(ms).toISOString().slice(11, 16),
    render: (m) => renderWebView(m, { mediaUrl: (id) => `http://x/media/${id}`, projectUrl: `http://x/p/${m.job.projectSlug}`, previewUrl: (job, seq) => `http://x/media/preview/${job}/${seq}` }),
    text: (r) => JSON.stringify(r),
    pingsNobody: (r) => (r as WebJobView).prompt === PROMPT && PAGE_WRITES_ONLY_TEXT,
    buttons: (r) => (r as WebJobView).actions,
    previewSeq: (r) => {
      const url = (r as WebJobView).preview_url;
      return url ? Number(/\/(\d+)$/.exec(url)?.[1]) : undefined;
    },
  },
];

const at = (ms: number) => ({ jobId: JOB_ID, at: ms });
const PROMPT = 'a cat <@U1> @everyone *bold*';
/** 2026-12-03 12:03:00 and 12:05:00 UTC. */
const MEASURED_ETA = { startsAt: Date.UTC(2026, 11, 3, 12, 3), finishesAt: Date.UTC(2026, 11, 3, 12, 5), approximate: false };
const start = fromRecord(jobRecord({ request: { prompt: PROMPT }, promptSent: `hero fragment, ${PROMPT}` }), [], 2);

/** The same sequence of states for every renderer: a whole job, a retry, and every ending. */
function states(): Array<[string, JobMessage]> {
  const started = apply(start, { type: 'started', ...at(10), attempt: 1, backend: 'builtin' });
  const running = apply(started, { type: 'progress', ...at(20), step: 5, totalSteps: 20, percent: 22, stage: 'sampling' });
  const previewing = apply(running, { type: 'preview', ...at(21), seq: 3 });
  const saving = apply(previewing, { type: 'saving', ...at(30), percent: 92 });
  const retrying = apply(running, { type: 'failed', ...at(25), code: 'backend_unreachable', details: {}, willRetry: true });
  const facts = { request: { prompt: PROMPT } };
  return [
    ['queued', start],
    ['queued, moved up', apply(start, { type: 'queued', ...at(5), position: 1 })],
    ['queued, with a measured estimate', apply(start, { type: 'queued', ...at(5), position: 2, eta: MEASURED_ETA })],
    ['queued, with a first guess', apply(start, { type: 'queued', ...at(5), position: 2, eta: { ...MEASURED_ETA, approximate: true } })],
    ['starting', started],
    ['running', running],
    ['running with a live preview', previewing],
    ['running with a newer preview', apply(previewing, { type: 'preview', ...at(22), seq: 4 })],
    ['saving', saving],
    ['retrying', retrying],
    ['completed', fromRecord(completedRecord(facts), assetRecords())],
    ['completed, files deleted', fromRecord(completedRecord(facts), [])],
    ['completed with a quality note', fromRecord(completedRecord({ ...facts, qualityRetried: true, qualityProblems: ['no_motion', 'almost_black'] }), assetRecords())],
    ['failed', fromRecord(jobRecord({ ...facts, status: 'failed', errorCode: 'execution_failed', errorDetails: '{}', errorRef: 'ref-1' }), [])],
    ['cancelled', apply(previewing, { type: 'cancelled', ...at(40), by: 'moderator' })],
    ['completed after a preview', apply(previewing, { type: 'completed', ...at(40), assets: [], durationMs: 900, seed: 9, backend: 'comfyui' })],
  ];
}

describe.each(RENDERERS)('the $name renderer keeps the job-message contract', (r) => {
  test('every state renders, the same state always renders the same, and different states differently', () => {
    const rendered = states().map(([name, m]) => [name, JSON.stringify(r.render(m))] as const);
    for (const [, m] of states()) expect(JSON.stringify(r.render(m))).toBe(JSON.stringify(r.render(m)));
    expect(new Set(rendered.map(([, json]) => json)).size).toBe(rendered.length);
  });

  test('shows the live preview while it renders, the newest one, and never on saving or a final state', () => {
    const all = Object.fromEntries(states());
    expect(r.previewSeq(r.render(all['running with a live preview']!))).toBe(3);
    expect(r.previewSeq(r.render(all['running with a newer preview']!))).toBe(4);
    for (const name of ['running', 'saving', 'cancelled', 'completed after a preview', 'completed', 'failed']) expect(r.previewSeq(r.render(all[name]!)), name).toBeUndefined();
  });

  test('offers exactly the buttons the model allows, in its order', () => {
    for (const [, m] of states()) expect(r.buttons(r.render(m))).toEqual(buttons(m));
  });

  test('shows the typed prompt (not the merged one), and no user text can ping', () => {
    for (const [, m] of states()) {
      const rendered = r.render(m);
      expect(r.text(rendered)).toContain('a cat');
      expect(r.text(rendered)).not.toContain('hero fragment');
      expect(r.pingsNobody(rendered)).toBe(true);
    }
  });

  test('the finished state names its seed and size, the failed one its reference', () => {
    const all = Object.fromEntries(states());
    expect(r.text(r.render(all.completed!))).toContain('7');
    expect(r.text(r.render(all.completed!))).toContain('512×768');
    expect(r.text(r.render(all.failed!))).toContain('ref-1');
  });

  test('a queued job shows its expected start and finish in the platform\'s own time format, and says "about" for a first guess', () => {
    const all = Object.fromEntries(states());
    const measured = r.text(r.render(all['queued, with a measured estimate']!));
    expect(measured).toContain(r.instant(MEASURED_ETA.startsAt));
    expect(measured).toContain(r.instant(MEASURED_ETA.finishesAt));
    expect(measured).not.toContain('about');
    const guess = r.text(r.render(all['queued, with a first guess']!));
    expect(guess).toContain('about');
    expect(guess).toContain(r.instant(MEASURED_ETA.startsAt));
    // Once it starts, the estimate is gone.
    for (const name of ['starting', 'running']) {
      const started = apply(all['queued, with a measured estimate']!, { type: 'started', ...at(10), attempt: 1, backend: 'builtin' });
      const shown = name === 'starting' ? started : apply(started, { type: 'progress', ...at(20), step: 1, totalSteps: 20, percent: 5, stage: 'sampling' });
      expect(r.text(r.render(shown))).not.toContain(r.instant(MEASURED_ETA.startsAt));
    }
  });

  test('a job posted after failing the quality check twice says so, in the order of the problem codes', () => {
    const all = Object.fromEntries(states());
    expect(r.text(r.render(all['completed with a quality note']!))).toContain('Quality check: it is almost all black; the clip does not move, even after a second render');
    expect(r.text(r.render(all.completed!))).not.toContain('Quality check');
  });
});
