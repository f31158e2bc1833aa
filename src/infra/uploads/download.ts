import { fail, ok, type Outcome } from '../../core/outcome.js';

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  headers?: Record<string, string>;
}

/**
 * Fetches a file a chat platform holds for us (a Discord attachment on its CDN, a Slack
 * url_private), never more than `maxBytes` (the stream is cut, whatever Content-Length said) and
 * never for longer than `timeoutMs`. Failures are invalid_input on `field`: the user can send another.
 */
export async function downloadLimited(url: string, field: string, limits: DownloadLimits, fetchImpl: typeof fetch = fetch): Promise<Outcome<Buffer>> {
  const tooLarge = fail({ reason: 'image_refused', field, why: 'too_large', maxBytes: limits.maxBytes }, { reason: 'image_too_large', details: { maxBytes: limits.maxBytes } });
  const unreachable = fail({ reason: 'image_refused', field, why: 'download_failed' }, { reason: 'image_download_failed' });
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await fetchImpl(url, { headers: limits.headers ?? {}, signal, redirect: 'follow' });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return unreachable;
    }
    const declared = Number(response.headers.get('content-length') ?? 'NaN');
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await response.body.cancel();
      return tooLarge;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > limits.maxBytes) return tooLarge;
      chunks.push(chunk);
    }
    return ok(Buffer.concat(chunks));
  } catch {
    return unreachable;
  }
}
