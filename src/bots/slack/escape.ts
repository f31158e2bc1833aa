/**
 * User text shown in Slack must never ping or link: `<!channel>`, `<!here>`, `<@U..>` and
 * `<!subteam^..>` only work through `<` and `>`, so escaping &, < and > (Slack's own three escapes)
 * disarms them. Plain `@channel`/`@here`/`@everyone` only notify when a message asks for
 * link_names; a word joiner after the `@` keeps them inert even then, and reads the same.
 */
export function escapeSlackText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)/gi, '@\u2060$1');
}

/** Cuts text for a Block Kit field (section text max 3000) without splitting an escape. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  const safe = amp > cut.length - 6 && !cut.slice(amp).includes(';') ? cut.slice(0, amp) : cut;
  return `${safe}…`;
}
