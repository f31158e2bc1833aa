import { parse as parseQuery } from 'node:querystring';
import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../shared/logger.js';

const SLACK_EVENTS_PATH = '/slack/events';
const BODY_LIMIT = 1024 * 1024;
/** Bolt's own deadlines: Slack gives up after 3 s (function_executed: longer), Bolt answers 404 then. */
const ACK_TIMEOUT_MS = 3001;
const FUNCTION_ACK_TIMEOUT_MS = 5001;

type Body = Record<string, unknown>;

/** Slack's documented replay window for signed requests. */
const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureVerdict = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/**
 * Slack request signing v0, checked by Bolt's own `verifySlackRequest` (HMAC over the exact body,
 * constant-time compare). Around it only what Bolt leaves out: headers that are absent or not
 * numbers (Bolt would throw a TypeError), and timestamps from the future (Bolt refuses only old
 * ones), so the window is five minutes either way and a reason can be logged.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowMs?: number;
}): SignatureVerdict {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !signature.startsWith('v0=')) return { ok: false, reason: 'missing' };
  const nowMs = input.nowMs ?? Date.now();
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: 'stale' };
  try {
    verifySlackRequest({
      signingSecret: input.signingSecret,
      body: input.rawBody.toString('utf8'),
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
      nowMilliseconds: nowMs,
    });
  } catch {
    // Headers and window are already checked above: what Bolt refuses now is the signature itself.
    return { ok: false, reason: 'mismatch' };
  }
  return { ok: true };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Form bodies carry commands as fields and interactions as a JSON `payload` field; events are JSON. */
function parseSlackBody(raw: Buffer, contentType: string | undefined): Body {
  const text = raw.toString('utf8');
  if ((contentType ?? '').split(';')[0]?.trim() === 'application/x-www-form-urlencoded') {
    const fields = parseQuery(text) as Record<string, string>;
    return typeof fields.payload === 'string' ? (JSON.parse(fields.payload) as Body) : fields;
  }
  return JSON.parse(text) as Body;
}

/**
 * A Bolt Receiver that lives on our Fastify server, so one public port serves the web app and Slack.
 * Registered as an encapsulated plugin: its raw-buffer body parser (the signature covers the exact
 * bytes) does not touch the JSON parsing of other routes.
 */
export class FastifySlackReceiver implements Receiver {
  private app: App | undefined;
  private stopped = false;

  constructor(private readonly options: { signingSecret: string; log: Logger; now?: () => number }) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    this.stopped = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /** The Fastify plugin; `app.register(receiver.plugin)`. */
  readonly plugin = async (fastify: FastifyInstance): Promise<void> => {
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
    fastify.post(SLACK_EVENTS_PATH, (request, reply) => this.handle(request, reply));
  };

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const log = this.options.log;
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    let body: Body;
    try {
      body = parseSlackBody(raw, header(request, 'content-type'));
    } catch {
      return reply.code(400).send();
    }
    // Bolt answers ssl_check before verifying; it carries no user action, so nothing is done for it.
    if (body.ssl_check === '1') return reply.code(200).send();
    const verdict = verifySlackSignature({
      signingSecret: this.options.signingSecret,
      timestamp: header(request, 'x-slack-request-timestamp'),
      signature: header(request, 'x-slack-signature'),
      rawBody: raw,
      nowMs: (this.options.now ?? Date.now)(),
    });
    if (!verdict.ok) {
      log.warn({ reason: verdict.reason, ip: request.ip }, 'refused a Slack request with a bad signature');
      return reply.code(401).send();
    }
    if (body.type === 'url_verification') return reply.code(200).send({ challenge: body.challenge });
    if (this.stopped || !this.app) return reply.code(503).send();
    const acked = await this.dispatch(this.app, body, request);
    if (acked === undefined) return reply.code(404).send();
    if (acked.body === undefined || acked.body === '') return reply.code(200).send();
    if (typeof acked.body === 'string') return reply.code(200).type('text/plain; charset=utf-8').send(acked.body);
    return reply.code(200).send(acked.body);
  }

  /** Hands the body to Bolt and resolves at ack() (or undefined when nobody acked in time). */
  private dispatch(app: App, body: Body, request: FastifyRequest): Promise<{ body: unknown } | undefined> {
    const log = this.options.log;
    return new Promise((resolve) => {
      let done = false;
      const settle = (value: { body: unknown } | undefined) => {
        if (done) return false;
        done = true;
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const isFunction = (body.event as { type?: unknown } | undefined)?.type === 'function_executed';
      const timer = setTimeout(() => {
        if (settle(undefined)) log.error({ type: body.type ?? body.command }, 'a Slack request was not acknowledged in time');
      }, isFunction ? FUNCTION_ACK_TIMEOUT_MS : ACK_TIMEOUT_MS);
      const retryNum = header(request, 'x-slack-retry-num');
      const retryReason = header(request, 'x-slack-retry-reason');
      const event: ReceiverEvent = {
        body,
        ack: async (response?: unknown) => {
          if (!settle({ body: response })) throw new Error('this Slack request was already acknowledged');
        },
        ...(retryNum ? { retryNum: Number(retryNum) } : {}),
        ...(retryReason ? { retryReason } : {}),
      };
      app.processEvent(event).catch((error: unknown) => {
        log.error({ err: error }, 'Bolt could not process a Slack request');
        settle(undefined);
      });
    });
  }
}
