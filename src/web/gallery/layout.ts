import { html, type Html } from './html.js';

export interface LayoutOptions {
  title: string;
  /** Where "home" and the search box point; absent on public pages (no space to search). */
  spaceBase?: string;
  searchText?: string;
}

/** Every gallery page: no inline script or style at all, one stylesheet, readable on a phone. */
export function layout(options: LayoutOptions, body: Html): Html {
  const { spaceBase } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${options.title} · Anime Production</title>
<link rel="stylesheet" href="/gallery.css">
</head>
<body>
<header class="top">
  ${spaceBase ? html`<a class="brand" href="${spaceBase}">Anime Production</a>` : html`<span class="brand">Anime Production</span>`}
  ${spaceBase
    ? html`<form class="quick-search" method="get" action="${spaceBase}/search" role="search">
    <input type="search" name="q" value="${options.searchText ?? ''}" placeholder="Search prompts and characters" aria-label="Search">
    <button type="submit">Search</button>
  </form>`
    : ''}
</header>
<main>
${body}
</main>
</body>
</html>`;
}

/** The one answer for "no such page" and "you may not see it", so neither can be told apart. */
export function notFoundPage(): Html {
  return layout(
    { title: 'Not found' },
    html`<section class="empty">
  <h1>Not found</h1>
  <p>This page does not exist, or the link you followed has expired or does not open it.</p>
  <p>Ask for a fresh link in chat with <code>/gallery</code>.</p>
</section>`,
  );
}
