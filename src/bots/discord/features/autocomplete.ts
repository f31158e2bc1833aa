import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction } from 'discord.js';
import type { Viewer } from '../../../core/generate-service.js';
import { viewerOf, type BotContext } from '../context.js';

/** Discord shows at most 25 choices; names and values at most 100 characters. */
const MAX_CHOICES = 25;
const MAX_CHOICE_TEXT = 100;

interface Candidate {
  value: string;
  label: string;
}

/**
 * What was typed against each candidate's value and label, case-insensitively: prefix matches
 * first, then matches inside; duplicates (one name in several scopes) collapse to one choice.
 */
export function rankChoices(candidates: readonly Candidate[], typed: string): ApplicationCommandOptionChoiceData<string>[] {
  const needle = typed.trim().toLowerCase();
  const score = (c: Candidate): number => {
    const value = c.value.toLowerCase();
    const label = c.label.toLowerCase();
    if (!needle || value.startsWith(needle) || label.startsWith(needle)) return 0;
    return value.includes(needle) || label.includes(needle) ? 1 : -1;
  };
  const seen = new Set<string>();
  return candidates
    .map((c, index) => ({ c, index, rank: score(c) }))
    .filter((x) => x.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .filter(({ c }) => !seen.has(c.value.toLowerCase()) && Boolean(seen.add(c.value.toLowerCase())))
    .slice(0, MAX_CHOICES)
    .map(({ c }) => ({ name: c.label.slice(0, MAX_CHOICE_TEXT), value: c.value.slice(0, MAX_CHOICE_TEXT) }));
}

/** Commands whose project option takes new images: archived projects are not offered there. */
const WRITES_IMAGES = new Set(['generate', 'project use', 'character create']);

async function projectCandidates(ctx: BotContext, viewer: Viewer, where: string): Promise<Candidate[]> {
  const projects = await ctx.gallery.projects(viewer);
  return projects
    .filter((p) => !(p.archivedAt && WRITES_IMAGES.has(where)))
    .map((p) => ({ value: p.slug, label: `${p.name} (${p.slug})${p.archivedAt ? ' — archived' : ''}` }));
}

async function characterCandidates(ctx: BotContext, viewer: Viewer, project: string | null): Promise<Candidate[]> {
  const listed = await ctx.characters.list(viewer, project ? { project } : {});
  // A project the user typed but cannot see simply offers nothing.
  if (!listed.ok) return [];
  return listed.value.map((c) => ({ value: c.name, label: c.projectSlug ? `${c.name} (${c.projectSlug})` : c.name }));
}

/** The models a request may name now: offered, and not missing on every backend that reported. */
async function modelCandidates(ctx: BotContext): Promise<Candidate[]> {
  const models = await ctx.service.models();
  return models.filter((m) => m.available !== false).map((m) => ({ value: m.id, label: m.label === m.id ? m.id : `${m.label} (${m.id})` }));
}

/** Which list an option completes from, or null when it is not ours to complete. */
export function completes(where: string, option: string): 'project' | 'character' | 'model' | null {
  if (option === 'project') return 'project';
  if (option === 'model' && where === 'generate') return 'model';
  if (/^character\d?$/.test(option)) return 'character';
  if (option === 'name' && where.startsWith('character ') && where !== 'character create') return 'character';
  return null;
}

/**
 * Autocomplete (interaction type 4) for project, character and model options. It must answer within
 * 3 seconds and can only answer with choices, so every failure answers an empty list (and is logged).
 */
export async function handleAutocomplete(ctx: BotContext, interaction: AutocompleteInteraction): Promise<void> {
  let choices: ApplicationCommandOptionChoiceData<string>[] = [];
  try {
    const focused = interaction.options.getFocused(true);
    const sub = interaction.options.getSubcommand(false);
    const where = sub ? `${interaction.commandName} ${sub}` : interaction.commandName;
    const list = completes(where, focused.name);
    if (list) {
      const { viewer } = await viewerOf(ctx, interaction);
      const project = interaction.options.getString('project')?.trim() || null;
      const candidates =
        list === 'project' ? await projectCandidates(ctx, viewer, where) : list === 'model' ? await modelCandidates(ctx) : await characterCandidates(ctx, viewer, project);
      choices = rankChoices(candidates, String(focused.value));
    }
  } catch (error) {
    ctx.log.warn({ err: error, command: interaction.commandName }, 'autocomplete failed; answering no choices');
  }
  await interaction.respond(choices).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not answer autocomplete'));
}
