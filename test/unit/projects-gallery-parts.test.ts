import { describe, expect, test } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/core/gallery/cursor.js';
import { slugify } from '../../src/core/projects/project-input.js';
import { GalleryLinks } from '../../src/infra/links/gallery-links.js';
import { withoutPass } from '../../src/web/gallery/gallery-session.js';
import { escapeHtml, html } from '../../src/web/gallery/html.js';
import { parseSearch } from '../../src/web/gallery/search-params.js';

const SPACE = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const links = new GalleryLinks('a'.repeat(16) + 'bcdefghijklmnopqrstuvwxyz', 'https://studio.example');
const viewer = { identity: { spaceId: SPACE, userId: USER }, role: 'creator' as const };

describe('gallery passes', () => {
  test('a reply link opens the space or a project, signed, and verifies back to the reader', () => {
    const url = new URL(links.url(viewer, 'summer-fest', { now: 1_000_000_000_000 }));
    expect(url.origin + url.pathname).toBe(`https://studio.example/gallery/${SPACE}/p/summer-fest`);
    const pass = links.verify(url.searchParams.get('pass')!, 1_000_000_000_000);
    expect(pass).toEqual({ spaceId: SPACE, userId: USER, role: 'creator', expires: 1_000_000_000 + 7 * 24 * 3600 });
    expect(links.url(viewer)).toMatch(new RegExp(`/gallery/${SPACE}\\?pass=v1\\.`));
  });

  test('tampered, expired, foreign-key and malformed passes are refused', () => {
    const token = links.sign({ spaceId: SPACE, userId: USER, role: 'creator', expires: 2_000_000_000 });
    expect(links.verify(token, 1_000_000_000_000)).not.toBeNull();
    expect(links.verify(token.replace('.creator.', '.admin.'), 1_000_000_000_000)).toBeNull();
    expect(links.verify(token, 2_000_000_000_000)).toBeNull();
    const other = new GalleryLinks('z'.repeat(16) + 'bcdefghijklmnopqrstuvwxyz', 'https://studio.example');
    expect(other.verify(token, 1_000_000_000_000)).toBeNull();
    for (const bad of [undefined, '', 'v1', `${token}x`, token.replace('v1.', 'v2.')]) expect(links.verify(bad, 1_000_000_000_000)).toBeNull();
  });

  test('the pass leaves the address, other parameters stay', () => {
    expect(withoutPass('/gallery/x/search?q=cat&pass=abc&kind=image')).toBe('/gallery/x/search?q=cat&kind=image');
    expect(withoutPass('/gallery/x?pass=abc')).toBe('/gallery/x');
  });
});

describe('html escaping', () => {
  test('every interpolated value is escaped; nested html is kept', () => {
    const evil = `<script>alert("x")</script>' onerror=`;
    const out = html`<p title="${evil}">${evil}${html`<b>${'&'}</b>`}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).toBe(`<p title="${escapeHtml(evil)}">${escapeHtml(evil)}<b>&amp;</b></p>`);
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
    expect(html`${[1, null, false, undefined, 'a']}`.value).toBe('1a');
  });
});

describe('small parts', () => {
  test('slugs from names', () => {
    expect(slugify('Summer Festival 2025!')).toBe('summer-festival-2025');
    expect(slugify('Café Déjà Vu')).toBe('cafe-deja-vu');
    expect(slugify('!!!')).toBe('');
    expect(slugify('x'.repeat(80)).length).toBe(64);
  });

  test('cursors round-trip and refuse anything else', () => {
    const position = { micros: '1717171717123456', id: '33333333-3333-4333-8333-333333333333' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor("1' or 1=1")).toBe('invalid');
  });

  test('search filters: whole UTC days, the end day included', () => {
    const parsed = parseSearch({ q: 'cat', from: '2025-06-01', to: '2025-06-30', kind: 'video', user: 'U123' });
    expect(parsed).toEqual({ ok: true, value: { text: 'cat', from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-07-01T00:00:00Z'), kind: 'video', user: 'U123' } });
    expect(parseSearch({ from: '2025-02-30' })).toMatchObject({ ok: false, field: 'from' });
    expect(parseSearch({ kind: 'gif' })).toMatchObject({ ok: false, field: 'kind' });
    expect(parseSearch({ user: 'a b' })).toMatchObject({ ok: false, field: 'user' });
  });
});
