import WebSocket from 'ws';

/**
 * The WebSocket half of the ComfyUI protocol: JSON text frames `{type, data}` and binary frames that
 * start with a big-endian uint32 event type (protocols.md section A).
 */
export interface ComfyMessage {
  type: string;
  data: Record<string, unknown>;
}

export interface PreviewFrame {
  mime: string;
  data: Buffer;
  /** Only present on type-4 frames (PREVIEW_IMAGE_WITH_METADATA). */
  nodeId?: string;
  promptId?: string;
}

export type BinaryFrame =
  | { kind: 'preview'; preview: PreviewFrame }
  | { kind: 'text'; nodeId: string; text: string }
  | { kind: 'unknown'; eventType: number };

const PREVIEW_IMAGE = 1;
const TEXT = 3;
const PREVIEW_IMAGE_WITH_METADATA = 4;
const IMAGE_TYPE_MIME: Record<number, string> = { 1: 'image/jpeg', 2: 'image/png' };

/** Never throws: a malformed frame becomes 'unknown' so one bad preview cannot break the stream. */
export function parseBinaryFrame(frame: Buffer): BinaryFrame {
  if (frame.length < 8) return { kind: 'unknown', eventType: frame.length >= 4 ? frame.readUInt32BE(0) : -1 };
  const eventType = frame.readUInt32BE(0);
  if (eventType === PREVIEW_IMAGE) {
    const mime = IMAGE_TYPE_MIME[frame.readUInt32BE(4)] ?? 'application/octet-stream';
    return { kind: 'preview', preview: { mime, data: frame.subarray(8) } };
  }
  if (eventType === PREVIEW_IMAGE_WITH_METADATA || eventType === TEXT) {
    const length = frame.readUInt32BE(4);
    if (8 + length > frame.length) return { kind: 'unknown', eventType };
    const head = frame.subarray(8, 8 + length).toString('utf8');
    const rest = frame.subarray(8 + length);
    if (eventType === TEXT) return { kind: 'text', nodeId: head, text: rest.toString('utf8') };
    let meta: Record<string, unknown>;
    try {
      meta = JSON.parse(head) as Record<string, unknown>;
    } catch {
      return { kind: 'unknown', eventType };
    }
    const preview: PreviewFrame = { mime: typeof meta.image_type === 'string' ? meta.image_type : 'image/jpeg', data: rest };
    if (typeof meta.node_id === 'string') preview.nodeId = meta.node_id;
    if (typeof meta.prompt_id === 'string') preview.promptId = meta.prompt_id;
    return { kind: 'preview', preview };
  }
  return { kind: 'unknown', eventType };
}

function parseTextFrame(text: string): ComfyMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, data } = value as { type?: unknown; data?: unknown };
  if (typeof type !== 'string') return undefined;
  return { type, data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {} };
}

export interface SocketHandlers {
  onMessage(message: ComfyMessage): void;
  onPreview(preview: PreviewFrame): void;
  /** Called once when the socket closes for any reason other than our own close(). */
  onClose(): void;
}

export class ComfyUiSocket {
  private closedByUs = false;

  private constructor(private readonly ws: WebSocket) {}

  /** Resolves once the socket is open and our feature flags are sent (they must be the first frame). */
  static connect(
    base: URL,
    headers: Record<string, string>,
    clientId: string,
    options: { previewMetadata: boolean; timeoutMs: number },
    handlers: SocketHandlers,
  ): Promise<ComfyUiSocket> {
    const url = new URL('ws', base);
    url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('clientId', clientId);
    const ws = new WebSocket(url, { headers, handshakeTimeout: options.timeoutMs });
    const socket = new ComfyUiSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        if (options.previewMetadata) ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
        ws.on('close', () => {
          if (!socket.closedByUs) handlers.onClose();
        });
        resolve(socket);
      });
      // Kept for the socket's life: after open, errors end in 'close', which onClose reports.
      ws.on('error', (error) => {
        if (ws.readyState !== WebSocket.OPEN) reject(error);
      });
      ws.on('message', (data, isBinary) => {
        const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        if (isBinary) {
          const frame = parseBinaryFrame(buffer);
          if (frame.kind === 'preview') handlers.onPreview(frame.preview);
          return;
        }
        const message = parseTextFrame(buffer.toString('utf8'));
        if (message) handlers.onMessage(message);
      });
    });
  }

  close(): void {
    this.closedByUs = true;
    this.ws.removeAllListeners('message');
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close();
  }
}
