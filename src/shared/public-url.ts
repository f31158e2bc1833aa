import { isIP } from 'node:net';

/** Names that only resolve inside a network (RFC 6762 .local, RFC 8375 home.arpa, common private suffixes). */
const PRIVATE_SUFFIXES = ['.local', '.localhost', '.internal', '.lan', '.home.arpa', '.intranet', '.corp'];

function isPrivateIPv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

function isPrivateIPv6(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '::') return true;
  if (lower.startsWith('::ffff:')) return isIP(lower.slice(7)) === 4 && isPrivateIPv4(lower.slice(7));
  return /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
}

/**
 * Whether a link under this base could be fetched from the internet (Slack's servers fetch an
 * image block's URL themselves): false for loopback, private and link-local addresses, single-label
 * names and private suffixes. A guess from the name alone (no DNS), so an operator can override it.
 */
export function looksPublic(base: string): boolean {
  let host: string;
  try {
    host = new URL(base).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  const family = isIP(host);
  if (family === 4) return !isPrivateIPv4(host);
  if (family === 6) return !isPrivateIPv6(host);
  if (host === 'localhost' || !host.includes('.')) return false;
  return !PRIVATE_SUFFIXES.some((suffix) => host.endsWith(suffix));
}
