import { escapeMarkdown } from 'discord.js';
import type { Character } from '../../core/characters/types.js';
import type { GalleryItem } from '../../core/gallery/types.js';
import type { Project, Visibility } from '../../core/projects/types.js';
import { truncate } from './render.js';

/** Discord's limits: message content 2000, embed description 4096 (we stay a little under both). */
export const CONTENT_LIMIT = 1900;
export const EMBED_LIMIT = 4000;

/** Everything a user typed, as plain text: no markdown, no line breaks, bounded. Mentions are stopped by allowed_mentions. */
export function plain(text: string, max = 100): string {
  return escapeMarkdown(truncate(text.replace(/\s+/g, ' ').trim(), max));
}

/** `<url>` in a markdown link keeps Discord from unfurling a preview of the gallery. */
export function link(label: string, url: string): string {
  // A bracket in user text would end the label early and make the rest of it the link.
  return `[${label.replace(/[[\]]/g, '')}](<${url}>)`;
}

/** As many lines as fit in `max` characters, then how many were left out. */
export function fitLines(lines: readonly string[], max: number, more = 0): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > max - 40) break;
    kept.push(line);
    used += line.length + 1;
  }
  const left = lines.length - kept.length + more;
  return left > 0 ? `${kept.join('\n')}\n…and ${left} more` : kept.join('\n');
}

const WHO_SEES: Record<Visibility, string> = {
  space: 'every member of this server',
  private: 'listed members and moderators only',
  public: 'anyone with its public link',
};

export function whoSees(visibility: Visibility): string {
  return WHO_SEES[visibility];
}

export function projectTitle(project: Pick<Project, 'name' | 'slug' | 'archivedAt'>): string {
  return `**${plain(project.name, 80)}** (\`${project.slug}\`)${project.archivedAt ? ' — archived' : ''}`;
}

export function characterLine(character: Character): string {
  const where = character.projectSlug ? `project \`${character.projectSlug}\`` : 'whole server';
  const lora = character.lora ? ` · LoRA \`${plain(character.lora.name, 60)}\` × ${character.lora.weight}` : '';
  return `**${plain(character.name, 48)}** (${where}) — ${plain(character.promptFragment, 120)}${lora}`;
}

export function characterDetail(character: Character): string {
  const rows = [
    characterLine(character),
    character.description && `Description: ${plain(character.description, 500)}`,
    character.negativeFragment && `Negative: ${plain(character.negativeFragment, 300)}`,
    character.referenceSeed !== null && `Reference seed: ${character.referenceSeed}`,
  ];
  return rows.filter(Boolean).join('\n');
}

/** One image of /history or /search: its prompt linking to its gallery page, where and who and when. */
export function itemLine(item: GalleryItem, imageUrl: string): string {
  const when = Math.floor(item.createdAt.getTime() / 1000);
  const cast = item.characterNames.length ? ` · ${plain(item.characterNames.join(', '), 60)}` : '';
  const who = plain(item.author.displayName || item.author.externalId, 40);
  return `• ${link(plain(item.prompt, 100) || '(no prompt)', imageUrl)} — \`${item.projectSlug}\` · ${who}${cast} · <t:${when}:R>`;
}
