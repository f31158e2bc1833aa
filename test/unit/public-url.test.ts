import { expect, test } from 'vitest';
import { looksPublic } from '../../src/shared/public-url.js';

test('a PUBLIC_URL on loopback, a private network or a local name is not one Slack can fetch; a real domain or public address is', () => {
  for (const base of ['http://localhost:8330', 'http://127.0.0.1:8330', 'http://10.1.2.3', 'http://172.20.0.5:8330', 'http://192.168.1.9', 'http://169.254.1.1', 'http://[::1]:8330', 'http://[fd00::5]', 'http://studio', 'http://studio.local', 'https://gpu.internal', 'http://box.home.arpa', 'not a url']) {
    expect(looksPublic(base), base).toBe(false);
  }
  for (const base of ['https://anime.example.com', 'https://studio.example.org:8443', 'http://203.0.113.7:8330', 'http://[2001:db8::1]']) {
    expect(looksPublic(base), base).toBe(true);
  }
});
