import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import type { InputOptions } from './nodes.js';
import type { FakeComfyUi } from './server.js';

/** The fake's HTTP routes (server.py), each also served under /api. */
const MIME: Record<string, string> = { png: 'image/png', webp: 'image/webp', gif: 'image/gif', jpg: 'image/jpeg', mp4: 'video/mp4' };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** aiohttp's web.Response(status=200): application/octet-stream, length 0 (as recorded for /interrupt and POST /queue). */
function empty(res: ServerResponse, status: number): void {
  res.writeHead(status, status === 200 ? { 'content-type': 'application/octet-stream', 'content-length': '0' } : { 'content-length': '0' });
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** aiohttp's request.json(): a body that is not JSON raises, which the real server turns into a 500. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parsed: unknown = JSON.parse(await readBody(req));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('JSON body is not an object');
  return parsed as Record<string, unknown>;
}

function queueItem(item: readonly unknown[]): unknown[] {
  return item.slice(0, 5);
}

function view(fake: FakeComfyUi, query: URLSearchParams, res: ServerResponse): void {
  const filename = query.get('filename');
  if (!filename) return empty(res, 404);
  if (filename.startsWith('/') || filename.includes('..')) return empty(res, 400);
  const type = query.get('type') ?? 'output';
  if (!['output', 'input', 'temp'].includes(type)) return empty(res, 400);
  const subfolder = query.get('subfolder') ?? '';
  const normalized = posix.normalize(subfolder || '.');
  if (normalized.startsWith('..') || posix.isAbsolute(normalized)) return empty(res, 403);
  const data = fake.files.get(type, normalized === '.' ? '' : normalized, filename);
  if (!data) return empty(res, 404);
  const extension = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  res.writeHead(200, { 'content-type': MIME[extension] ?? 'application/octet-stream', 'content-disposition': `filename="${filename}"` });
  res.end(data);
}

/** POST /upload/image: multipart `image` (file), `type`, `subfolder`, `overwrite` ("true"/"1"); 400 with an empty body when refused. */
async function uploadImage(fake: FakeComfyUi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let form: FormData;
  try {
    form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
  } catch {
    return empty(res, 400);
  }
  const image = form.get('image');
  if (!(image instanceof Blob) || !('name' in image)) return empty(res, 400);
  const data = Buffer.from(await image.arrayBuffer());
  const type = String(form.get('type') ?? 'input') || 'input';
  const subfolder = String(form.get('subfolder') ?? '');
  const overwrite = ['true', '1'].includes(String(form.get('overwrite') ?? ''));
  const stored = fake.files.upload(type, subfolder, String(image.name), data, overwrite);
  if (!stored) return empty(res, 400);
  fake.received.uploads.push({ ...stored, overwrite, data });
  return json(res, 200, stored);
}

function objectInfo(fake: FakeComfyUi, className: string | undefined): Record<string, unknown> {
  const defs = fake.nodeDefs;
  const names = className === undefined ? Object.keys(defs) : Object.keys(defs).filter((name) => name === className);
  return Object.fromEntries(
    names.map((name) => {
      const { selfValidated: _own, ...def } = defs[name]!;
      // LoadImage lists what is in the input folder now, with the upload flag ComfyUI's UI reads.
      if (name === 'LoadImage') def.input = { required: { image: [fake.files.inputImages(), { image_upload: true } as InputOptions] } };
      return [
        name,
        {
          ...def,
          input_order: { required: Object.keys(def.input.required) },
          output_is_list: def.output.map(() => false),
          name,
          display_name: name,
          description: '',
          python_module: name.startsWith('VHS_') ? 'custom_nodes.ComfyUI-VideoHelperSuite' : 'nodes',
          deprecated: false,
          experimental: false,
        },
      ];
    }),
  );
}

const SYSTEM_STATS = {
  system: {
    os: 'posix',
    ram_total: 67_331_735_552,
    ram_free: 50_000_000_000,
    comfyui_version: '0.3.64',
    python_version: '3.12.3 (main, Nov  6 2024, 18:32:19) [GCC 13.2.0]',
    pytorch_version: '2.8.0+cu128',
    embedded_python: false,
    argv: ['main.py', '--listen', '127.0.0.1'],
  },
  devices: [{ name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 25_386_352_640, vram_free: 24_000_000_000, torch_vram_total: 0, torch_vram_free: 0 }],
};

export async function handleHttp(fake: FakeComfyUi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const path = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname;
  const method = req.method ?? 'GET';
  fake.received.requests.push({ method, path });
  fake.events.emit('request', { method, path });

  if (method === 'POST' && path === '/prompt') {
    if (fake.script.busyRetryAfterS !== undefined) {
      fake.received.prompts.push({ body: await readJson(req), status: 503 });
      res.writeHead(503, { 'retry-after': String(fake.script.busyRetryAfterS), 'content-length': '0' });
      res.end();
      return;
    }
    const [status, body] = fake.submit(await readJson(req));
    if (status === 200 && fake.script.dropNextPromptResponse) {
      // The prompt is queued but the answer never arrives, as when a connection breaks mid-reply.
      fake.script.dropNextPromptResponse = false;
      req.socket.destroy();
      return;
    }
    return json(res, status, body);
  }
  if (method === 'GET' && path === '/prompt') return json(res, 200, { exec_info: { queue_remaining: fake.queueRemaining() } });
  if (method === 'GET' && path === '/history') {
    const max = url.searchParams.get('max_items');
    const entries = [...fake.history.entries()];
    return json(res, 200, Object.fromEntries(max === null ? entries : entries.slice(-Number(max))));
  }
  if (method === 'GET' && path.startsWith('/history/')) {
    const id = decodeURIComponent(path.slice('/history/'.length));
    const entry = fake.history.get(id);
    return json(res, 200, entry === undefined ? {} : { [id]: entry });
  }
  if (method === 'POST' && (path === '/queue' || path === '/history')) {
    const body = await readJson(req);
    const ids = Array.isArray(body.delete) ? body.delete.filter((id): id is string => typeof id === 'string') : [];
    if (path === '/queue') {
      if (body.clear === true) for (const item of [...fake.pending]) fake.deleteQueued(item[1]);
      for (const id of ids) {
        fake.received.queueDeletes.push(id);
        fake.deleteQueued(id);
      }
    } else {
      if (body.clear === true) fake.history.clear();
      for (const id of ids) fake.history.delete(id);
    }
    return empty(res, 200);
  }
  if (method === 'GET' && path === '/queue') {
    return json(res, 200, { queue_running: fake.running ? [queueItem(fake.running)] : [], queue_pending: fake.pending.map(queueItem) });
  }
  if (method === 'POST' && path === '/interrupt') {
    let body: Record<string, unknown>;
    try {
      body = await readJson(req);
    } catch {
      body = {}; // an empty or non-JSON body means a global interrupt
    }
    fake.interrupt(typeof body.prompt_id === 'string' && body.prompt_id !== '' ? body.prompt_id : undefined);
    return empty(res, 200);
  }
  if (method === 'GET' && path === '/view') return view(fake, url.searchParams, res);
  if (method === 'GET' && path === '/system_stats') return json(res, 200, SYSTEM_STATS);
  if (method === 'GET' && path === '/object_info') return json(res, 200, objectInfo(fake, undefined));
  if (method === 'GET' && path.startsWith('/object_info/')) return json(res, 200, objectInfo(fake, decodeURIComponent(path.slice('/object_info/'.length))));
  if (method === 'POST' && path === '/upload/image') return uploadImage(fake, req, res);
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('404: Not Found');
}
