import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = new URL('../public/', import.meta.url);

const FILES = [
  { route: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { route: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { route: '/style.css', file: 'style.css', type: 'text/css; charset=utf-8' },
  // The farm dashboard: a static page; its data comes from GET /api/admin/farm with the reader's token.
  { route: '/dashboard', file: 'dashboard.html', type: 'text/html; charset=utf-8' },
  { route: '/dashboard.js', file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  { route: '/dashboard.css', file: 'dashboard.css', type: 'text/css; charset=utf-8' },
] as const;

/** The small "try it" page: static files read once at start, no templating of user text. */
export function registerTryPage(app: FastifyInstance): void {
  for (const { route, file, type } of FILES) {
    const body = readFileSync(new URL(file, PUBLIC_DIR));
    app.get(route, async (_request, reply) => reply.header('Content-Type', type).header('Cache-Control', 'no-cache').send(body));
  }
  // Browsers ask for it on every page; an empty answer keeps their consoles and our logs quiet.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('Cache-Control', 'public, max-age=86400').send());
}
