import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createStubGenerator } from '../support/stub-generator.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { api } from '../support/api.js';
import { generateAndWait, openLink, page } from './projects-support.js';

/**
 * Who sees what, per visibility, on every read path: API lists and info, search, and gallery pages.
 * Space "web": open (space), secret (private, member alice), shown (public). Space "other": hidden (private).
 */
let stack: TestStack;
const tokens = {} as Record<'mod' | 'alice' | 'bob' | 'vic' | 'olga', string>;
const jobIds: Record<string, string> = {};
let spaceId = '';
let otherSpaceId = '';
let publicUrl = '';

beforeAll(async () => {
  stack = await startTestStack({ worker: { generator: await createStubGenerator() }, env: { RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_BURST: '1000', MAX_PENDING_PER_USER: '50' } });
  tokens.mod = await stack.token('mika', 'moderator');
  tokens.alice = await stack.token('alice', 'creator');
  tokens.bob = await stack.token('bob', 'creator');
  tokens.vic = await stack.token('vic', 'viewer');
  tokens.olga = await stack.token('olga', 'moderator', 'other');
  await api(stack, 'POST', '/api/projects', tokens.mod, { name: 'Open' });
  await api(stack, 'POST', '/api/projects', tokens.mod, { name: 'Secret', visibility: 'private' });
  publicUrl = (await api(stack, 'POST', '/api/projects', tokens.mod, { name: 'Shown', visibility: 'public' })).json.public_url;
  await api(stack, 'POST', '/api/projects/secret/members', tokens.mod, { add: ['alice'] });
  for (const project of ['open', 'secret', 'shown']) {
    jobIds[project] = (await generateAndWait(stack, tokens.mod, { prompt: `a cat in the ${project} garden`, project })).job_id;
  }
  await api(stack, 'POST', '/api/projects', tokens.olga, { name: 'Hidden', visibility: 'private' });
  jobIds.hidden = (await generateAndWait(stack, tokens.olga, { prompt: 'a cat in the hidden garden', project: 'hidden' })).job_id;
  spaceId = new URL((await api(stack, 'POST', '/api/gallery-link', tokens.bob)).json.url).pathname.split('/')[2]!;
  otherSpaceId = new URL((await api(stack, 'POST', '/api/gallery-link', tokens.olga)).json.url).pathname.split('/')[2]!;
});
afterAll(async () => {
  await stack.close();
});

async function cookieFor(who: keyof typeof tokens): Promise<string> {
  const link = await api(stack, 'POST', '/api/gallery-link', tokens[who]);
  return (await openLink(link.json.url)).cookie;
}

describe('API reads follow visibility', () => {
  test('lists and info', async () => {
    const slugs = async (who: keyof typeof tokens) => (await api(stack, 'GET', '/api/projects', tokens[who])).json.projects.map((p: { slug: string }) => p.slug).sort();
    expect(await slugs('bob')).toEqual(['general', 'open', 'shown']);
    expect(await slugs('vic')).toEqual(['general', 'open', 'shown']);
    expect(await slugs('alice')).toEqual(['general', 'open', 'secret', 'shown']);
    expect(await slugs('mod')).toEqual(['general', 'open', 'secret', 'shown']);
    expect(await slugs('olga')).toEqual(['general', 'hidden']);
    // Not allowed and not there read the same.
    const hidden = await api(stack, 'GET', '/api/projects/secret', tokens.bob);
    const missing = await api(stack, 'GET', '/api/projects/no-such', tokens.bob);
    expect(hidden.status).toBe(404);
    expect(hidden.json.error.code).toBe(missing.json.error.code);
    expect((await api(stack, 'GET', '/api/projects/hidden', tokens.mod)).status).toBe(404);
  });

  test('search and history never return what the reader may not see', async () => {
    const found = async (who: keyof typeof tokens, path: string) => (await api(stack, 'GET', path, tokens[who])).json.items.map((i: { job_id: string }) => i.job_id).sort();
    expect(await found('bob', '/api/search?q=cat')).toEqual([jobIds.open, jobIds.shown].sort());
    expect(await found('alice', '/api/search?q=cat')).toEqual([jobIds.open, jobIds.secret, jobIds.shown].sort());
    expect(await found('olga', '/api/search?q=cat')).toEqual([jobIds.hidden]);
    expect(await found('bob', '/api/history?user=mika')).toEqual([jobIds.open, jobIds.shown].sort());
    expect((await api(stack, 'GET', '/api/history?project=secret', tokens.bob)).status).toBe(404);
    expect(await found('alice', '/api/history?project=secret')).toEqual([jobIds.secret]);
  });

  test('a move into a project one cannot see is refused like a missing one', async () => {
    expect((await api(stack, 'POST', `/api/anime/generation/${jobIds.hidden}/move`, tokens.mod, { project: 'open' })).status).toBe(404);
  });
});

describe('gallery pages', () => {
  test('a link sets a scoped, HttpOnly, SameSite=Lax cookie and redirects without the pass', async () => {
    const link = await api(stack, 'POST', '/api/gallery-link', tokens.bob, { project: 'open' });
    expect(link.status).toBe(201);
    expect(link.json.url).toMatch(new RegExp(`^${stack.baseUrl}/gallery/${spaceId}/p/open\\?pass=`));
    const opened = await openLink(link.json.url);
    expect(opened.setCookie).toMatch(new RegExp(`^ap_gallery=v1\\.[^;]+; Path=/gallery/${spaceId}; Max-Age=43200; HttpOnly; SameSite=Lax$`));
    expect(opened.target).toBe(`${stack.baseUrl}/gallery/${spaceId}/p/open`);
    expect(opened.page.status).toBe(200);
    expect(opened.page.text).toContain('loading="lazy"');
    expect(opened.page.text).toContain('a cat in the open garden');
    const csp = opened.page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(opened.page.headers.get('cache-control')).toBe('private, no-store');
  });

  test('the same 404 page for not found and not allowed, on every page kind', async () => {
    const bob = await cookieFor('bob');
    const alice = await cookieFor('alice');
    const base = `${stack.baseUrl}/gallery/${spaceId}`;
    const notFound = await page(`${base}/p/no-such`, bob);
    expect(notFound.status).toBe(404);
    for (const [url, cookie] of [
      [`${base}/p/secret`, bob],
      [`${base}/i/${jobIds.secret}`, bob],
      [`${base}/i/${jobIds.hidden}`, bob],
      [`${base}/i/00000000-0000-4000-8000-000000000000`, bob],
      [`${base}/p/open`, undefined],
      [`${base}/p/open?pass=v1.forged`, undefined],
      [`${stack.baseUrl}/gallery/${otherSpaceId}/p/hidden`, bob],
      [`${stack.baseUrl}/gallery/${otherSpaceId}/i/${jobIds.hidden}`, bob],
      [`${stack.baseUrl}/gallery/public/${'x'.repeat(32)}`, undefined],
    ] as const) {
      const answer = await page(url, cookie);
      expect(answer.status, url).toBe(404);
      expect(answer.text, url).toBe(notFound.text);
    }
    expect((await page(`${base}/p/secret`, alice)).status).toBe(200);
    expect((await page(`${base}/i/${jobIds.secret}`, alice)).status).toBe(200);
    expect((await page(`${base}/p/secret`, await cookieFor('mod'))).status).toBe(200);
    // A pass for one space does not open another space's gallery.
    const bobLink = new URL((await api(stack, 'POST', '/api/gallery-link', tokens.bob)).json.url);
    expect((await page(`${stack.baseUrl}/gallery/${otherSpaceId}/p/hidden?${bobLink.searchParams}`)).status).toBe(404);
  });

  test('an expired pass is refused', async () => {
    const reader = { spaceId, userId: '00000000-0000-4000-8000-000000000001', role: 'admin' as const };
    const expired = stack.runtime.galleryLinks.link(reader, '/p/open', { now: Date.now() - 10 * 24 * 3600 * 1000 });
    expect((await page(expired.url)).status).toBe(404);
  });

  test('a public project opens by its link alone, only its own images, and stops when made non-public', async () => {
    const opened = await page(publicUrl);
    expect(opened.status).toBe(200);
    expect(opened.text).toContain('a cat in the shown garden');
    expect(opened.text).not.toContain('Search prompts');
    expect((await page(`${publicUrl}/i/${jobIds.shown}`)).status).toBe(200);
    expect((await page(`${publicUrl}/i/${jobIds.open}`)).status).toBe(404);
    await api(stack, 'PATCH', '/api/projects/shown', tokens.mod, { visibility: 'space' });
    expect((await page(publicUrl)).status).toBe(404);
    await api(stack, 'PATCH', '/api/projects/shown', tokens.mod, { visibility: 'public' });
  });

  test('everything a user typed is escaped; the image page shows the recipe and both files', async () => {
    const evil = await generateAndWait(stack, tokens.mod, { prompt: 'a girl <script>alert(1)</script> "quoted" & <img src=x onerror=alert(2)>', project: 'open' });
    const mod = await cookieFor('mod');
    const imagePage = await page(`${stack.baseUrl}/gallery/${spaceId}/i/${evil.job_id}`, mod);
    expect(imagePage.status).toBe(200);
    expect(imagePage.text).not.toMatch(/<script>|<img src=x/);
    expect(imagePage.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp;');
    expect(imagePage.text).not.toContain('<script');
    expect(imagePage.text).not.toContain(' style=');
    for (const label of ['Prompt sent', 'Seed', 'Size', 'Backend', 'By', 'When', 'Original (PNG', 'WebP (']) expect(imagePage.text).toContain(label);
    const grid = await page(`${stack.baseUrl}/gallery/${spaceId}/search?q=quoted`, mod);
    expect(grid.text).toContain(`/i/${evil.job_id}`);
    expect(grid.text).not.toContain('<script>');
  });

  test('the stylesheet is a file', async () => {
    const css = await fetch(`${stack.baseUrl}/gallery.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toContain('.grid');
  });
});
