import type { FarmBackend } from '../core/farm-admin.js';
import type { BackendActivity } from '../core/farm-state.js';

const STATE_WORDS: Record<BackendActivity, string> = {
  idle: 'idle',
  busy: 'busy',
  cooling: 'said it is overloaded; resting before the next job',
  draining: 'finishing its job, then drained',
  drained: 'drained',
  down: 'down (not answering)',
};

/**
 * One backend as `/backend list` shows it in every chat adapter: name, host:port, what it does now
 * (never its URL). `format` is the adapter's: how it quotes the name (bold) and the server (code).
 */
export function backendSentence(b: FarmBackend, format: { name(value: string): string; server(value: string): string }): string {
  const state = b.state ? STATE_WORDS[b.state] : b.drained ? 'drained, no worker serves it' : 'no worker serves it';
  const job = b.jobId ? ` · job \`${b.jobId.slice(0, 8)}\`` : '';
  return `• ${format.name(b.name)} ${format.server(b.server)} — ${state}${job}${b.source === 'table' ? ' · added by an admin' : ''}`;
}

/** What /backend answers when no server is declared. */
export const NO_BACKENDS = 'No backends are declared; the built-in renderer does the work.';
