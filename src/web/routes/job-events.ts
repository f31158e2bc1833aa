import type { FastifyInstance } from 'fastify';
import type { JobEvent } from '../../core/events.js';
import type { GenerateService, Viewer } from '../../core/generate-service.js';
import { apply, fromRecord, isFinal } from '../../core/job-message/model.js';
import type { JobEventBus } from '../../core/ports.js';
import { authenticate, type AuthDeps } from '../auth.js';
import { sendFailure } from '../http-errors.js';
import { eventJson, statusJson } from '../job-json.js';
import { renderWebView } from '../job-view.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import type { PreviewLinks } from '../../infra/links/preview-links.js';

const KEEPALIVE_MS = 15_000;
/** Sent as the stream's `retry:` on shutdown: how soon a client should come back, in ms. */
const RECONNECT_AFTER_MS = 2_000;

export interface JobEventsDeps extends AuthDeps {
  service: GenerateService;
  events: JobEventBus;
  links: MediaLinks;
  previewLinks: PreviewLinks;
  publicUrl: string;
  /** The signed gallery link of a project, as the generate answer carries it. */
  projectUrl(viewer: Viewer, projectSlug: string): string;
}

/**
 * Server-Sent Events for one job: a `status` snapshot first, then every event until the job ends.
 * Subscribing before reading the snapshot means no event can fall between the two.
 * Beside the raw events, a `view` event carries the job message as the web renders it: the core
 * model starts from the record and applies each event, so the page draws and decides nothing. A
 * view goes out before the event that made it and only when it changed (a late place in line for
 * a started job changes nothing). A reconnecting client starts again from the record: no ids.
 */
export function registerJobEvents(app: FastifyInstance, deps: JobEventsDeps): void {
  // Open streams end on close with word to reconnect: left open, a stream holds the server (and the
  // process) until its job ends, which for a slow job is long past any shutdown grace.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const endForShutdown of [...openStreams]) endForShutdown();
    done();
  });
  app.get<{ Params: { id: string } }>('/api/anime/generation/:id/events', async (request, reply) => {
    const auth = await authenticate(deps, request, reply);
    if (!auth) return reply;
    const jobId = request.params.id;
    const pending: JobEvent[] = [];
    let deliver: (event: JobEvent) => void = (event) => pending.push(event);
    const unsubscribe = await deps.events.subscribe((event) => {
      if (event.jobId === jobId) deliver(event);
    });
    const view = await deps.service.view(auth.viewer, jobId);
    if (!view.ok) {
      await unsubscribe();
      return sendFailure(reply, view);
    }

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    let closed = false;
    const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
    const finish = () => {
      if (closed) return;
      closed = true;
      openStreams.delete(endForShutdown);
      clearInterval(keepalive);
      void unsubscribe();
      raw.end();
    };
    const sendJson = (name: string, json: string) => {
      if (!closed) raw.write(`event: ${name}\ndata: ${json}\n\n`);
    };
    const send = (name: string, data: unknown) => sendJson(name, JSON.stringify(data));
    const endForShutdown = () => {
      if (!closed) raw.write(`retry: ${RECONNECT_AFTER_MS}\n\n`);
      send('reconnect', { reason: 'server_shutting_down', retry_after_ms: RECONNECT_AFTER_MS });
      finish();
    };
    openStreams.add(endForShutdown);
    raw.on('close', finish);

    const context = {
      mediaUrl: (assetId: string) => deps.links.url(assetId),
      previewUrl: (job: string, seq: number) => deps.previewLinks.url(job, seq),
      projectUrl: deps.projectUrl(auth.viewer, view.value.job.projectSlug),
    };
    let message = fromRecord(view.value.job, view.value.assets, view.value.position, view.value.eta);
    let shown = JSON.stringify(renderWebView(message, context));
    send('status', statusJson(view.value, deps.links, deps.publicUrl));
    sendJson('view', shown);
    if (isFinal(message)) return finish();
    deliver = (event) => {
      message = apply(message, event);
      const next = JSON.stringify(renderWebView(message, context));
      if (next !== shown) sendJson('view', next);
      shown = next;
      send(event.type, eventJson(event, deps.links));
      if (isFinal(message)) finish();
    };
    for (const event of pending.splice(0)) deliver(event);
  });
}
