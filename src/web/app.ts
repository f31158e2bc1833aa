import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../shared/logger.js';
import { outageSource } from '../infra/outage.js';
import { errorRef } from '../shared/error-ref.js';
import { clientErrorResponse, errorBody, frameworkError } from './http-errors.js';
import { registerSecurityHeaders } from './security-headers.js';

export interface WebAppOptions {
  log: Logger;
  corsOrigins: string[];
  https: boolean;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /** Addresses/CIDRs of reverse proxies whose X-Forwarded-For gives the client address (none: the peer is the client). */
  trustProxy?: string[];
}

/** Seconds a client is asked to wait when Postgres or Redis is unreachable. */
const OUTAGE_RETRY_AFTER_S = 5;

/**
 * The HTTP server shell: limits, headers, CORS, and the one error boundary. Routes are added by
 * the caller. No response ever carries a stack, a path or SQL: unknown errors become a reference id.
 */
export async function createWebApp(options: WebAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino 10's Logger type is wider than the one fastify declares; the instance is compatible.
    loggerInstance: options.log.child({ component: 'web' }) as unknown as FastifyBaseLogger,
    // One line per request would drown the job logs; errors are logged by the boundary below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 10_000,
    // Only listed peers may name the client: anyone else could write X-Forwarded-For themselves.
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? options.trustProxy : false,
    return503OnClosing: true,
    // Router errors (a bad percent-escape, an over-long parameter) skip the error handler; Fastify's own bodies echo the URL.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const known = frameworkError(error) ?? { status: 400, body: errorBody('invalid_request', 'the request is not valid') };
      void reply.code(known.status).send(known.body);
    },
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.write(clientErrorResponse(error.code));
      socket.destroy(error);
    },
  });
  // Only JSON is parsed here (the Slack adapter registers its own parsers in its own scope).
  app.removeContentTypeParser('text/plain');
  registerSecurityHeaders(app, { https: options.https });
  await app.register(cors, { origin: options.corsOrigins.length > 0 ? options.corsOrigins : false, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] });

  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const known = frameworkError(error);
    if (known) return reply.code(known.status).send(known.body);
    const outage = outageSource(error);
    if (outage) {
      // Postgres or Redis is away: not a bug, and it comes back by itself (pool and ioredis reconnect).
      request.log.warn({ err: error, outage, url: request.url.split('?')[0] }, 'request failed: a backing service is unavailable');
      reply.header('Retry-After', OUTAGE_RETRY_AFTER_S);
      return reply.code(503).send(errorBody('unavailable', 'the service is briefly unavailable; try again in a few seconds'));
    }
    const ref = errorRef();
    request.log.error({ err: error, ref, url: request.url.split('?')[0] }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'something went wrong on our side; quote this reference if you report it', { ref }));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(errorBody('not_found', 'no such route')));
  return app;
}
