import type { Character } from '../../core/characters/types.js';
import type { SearchQuery } from '../../core/gallery/gallery-service.js';
import type { FamilyMember, GalleryPage, ImageDetail, ImageOutput } from '../../core/gallery/types.js';
import type { Project, ProjectForUser } from '../../core/projects/types.js';
import type { MediaLinks } from '../../infra/links/media-links.js';
import { formatDate, grid } from './grid.js';
import { html, type Html } from './html.js';
import { layout } from './layout.js';

const VISIBILITY_LABEL = { space: 'Space members', private: 'Private', public: 'Public link' } as const;

export function overviewPage(spaceBase: string, projects: ProjectForUser[]): Html {
  return layout(
    { title: 'Projects', spaceBase },
    html`<h1>Projects</h1>
<ul class="projects">
${projects.map(
  (p) => html`<li>
  <a href="${spaceBase}/p/${p.slug}"><strong>${p.name}</strong></a>
  <span class="tag">${VISIBILITY_LABEL[p.visibility]}</span>${p.archivedAt ? html` <span class="tag">archived</span>` : ''}
  ${p.description ? html`<p>${p.description}</p>` : ''}
</li>`,
)}
</ul>`,
  );
}

export function projectPage(options: { project: Project; page: GalleryPage; media: MediaLinks; base: string; spaceBase?: string }): Html {
  const { project } = options;
  return layout(
    { title: project.name, ...(options.spaceBase ? { spaceBase: options.spaceBase } : {}) },
    html`<h1>${project.name} <span class="tag">${VISIBILITY_LABEL[project.visibility]}</span>${project.archivedAt ? html` <span class="tag">archived</span>` : ''}</h1>
${project.description ? html`<p class="lead">${project.description}</p>` : ''}
${grid(options.page, { media: options.media, base: options.base })}`,
  );
}

function fileLinks(output: ImageOutput, media: MediaLinks): Html {
  return html`<p class="files">
  <a class="button" href="${media.url(output.original.id)}">Original (${output.original.mime.split('/')[1]?.toUpperCase()}, ${output.original.width}×${output.original.height})</a>
  ${output.webp ? html`<a class="button" href="${media.url(output.webp.id)}">WebP (${Math.ceil(output.webp.bytes / 1024)} KB)</a>` : ''}
</p>`;
}

export function imagePage(options: { project: Project; image: ImageDetail; media: MediaLinks; base: string; spaceBase?: string }): Html {
  const { image, media, project, base, spaceBase } = options;
  const characters = image.characters.map(
    (c, i) => html`${i > 0 ? ', ' : ''}${c.id && spaceBase ? html`<a href="${spaceBase}/c/${c.id}">${c.name}</a>` : c.name}`,
  );
  const title = image.promptSent.length > 60 ? `${image.promptSent.slice(0, 57)}...` : image.promptSent;
  return layout(
    { title, ...(spaceBase ? { spaceBase } : {}) },
    html`<nav class="crumbs"><a href="${spaceBase ? `${spaceBase}/p/${project.slug}` : base}">${project.name}</a></nav>
<div class="image-page">
<section class="outputs">
${image.outputs.map(
  (o) => html`<figure>
  <a href="${media.url(o.original.id)}"><img src="${media.url((o.webp ?? o.original).id)}" alt="${image.promptSent}" width="${o.original.width}" height="${o.original.height}"></a>
  ${fileLinks(o, media)}
</figure>`,
)}
</section>
${familySection(image, media, base)}
<section class="recipe">
<h1>Recipe</h1>
<dl>
  <dt>Prompt sent</dt><dd class="prompt">${image.promptSent}</dd>
  ${image.negativeSent ? html`<dt>Negative prompt</dt><dd class="prompt">${image.negativeSent}</dd>` : ''}
  <dt>Seed</dt><dd>${image.seed}</dd>
  <dt>Size</dt><dd>${image.width} × ${image.height}, ${image.steps} steps</dd>
  <dt>Kind</dt><dd>${image.kind}</dd>
  <dt>Backend</dt><dd>${image.backend ?? 'unknown'}</dd>
  ${image.model ? html`<dt>Model</dt><dd>${spaceBase ? html`<a href="${spaceBase}/search?model=${encodeURIComponent(image.model)}">${image.modelName || image.model}</a>` : image.modelName || image.model}</dd>` : ''}
  ${image.characters.length > 0 ? html`<dt>Characters</dt><dd>${characters}</dd>` : ''}
  ${image.loras.length > 0 ? html`<dt>LoRAs</dt><dd>${image.loras.map((l, i) => `${i > 0 ? ', ' : ''}${l.name} (${l.weight})`)}</dd>` : ''}
  <dt>By</dt><dd>${spaceBase ? html`<a href="${spaceBase}/search?user=${encodeURIComponent(image.author.externalId)}">${image.author.displayName || image.author.externalId}</a>` : image.author.displayName || image.author.externalId}</dd>
  <dt>When</dt><dd><time datetime="${image.createdAt.toISOString()}">${formatDate(image.createdAt)} ${image.createdAt.toISOString().slice(11, 16)} UTC</time></dd>
  <dt>Project</dt><dd>${project.name}</dd>
</dl>
<p class="downloads"><a href="${base}/i/${image.jobId}/recipe.json" download>Download recipe (JSON)</a>${
    // The built-in renderer sends no workflow: it takes the recipe itself.
    image.backend === 'builtin' ? '' : html` · <a href="${base}/i/${image.jobId}/workflow.json" download>Download ComfyUI workflow (API format)</a>`
  }</p>
</section>
</div>`,
  );
}

const RELATION_WORDS: Record<string, string> = { variation: 'Variation', upscale: 'Upscale', reroll: 'Re-roll' };

/** "Variation of picture 2" (of the parent's pictures), "Re-roll". */
function relationLabel(member: FamilyMember): string {
  const word = RELATION_WORDS[member.relation] ?? 'Re-roll';
  return member.output === null ? word : `${word} of picture ${member.output + 1}`;
}

/** The job's family: the picture it was made from, and the variations, upscales and re-rolls made from it. */
function familySection(image: ImageDetail, media: MediaLinks, base: string): Html | string {
  const { parent, children } = image.family;
  if (!parent && children.length === 0) return '';
  const tile = (member: FamilyMember, label: string) =>
    html`<li><a href="${base}/i/${member.jobId}">${member.thumbnail ? html`<img src="${media.url(member.thumbnail.id)}" alt="${label}" width="${member.thumbnail.width}" height="${member.thumbnail.height}">` : ''}<span>${label}</span></a></li>`;
  return html`<section class="family">
${parent ? html`<h2>Made from</h2><ul class="family-parent">${tile(parent, relationLabel(parent))}</ul>` : ''}
${children.length > 0 ? html`<h2>Made from this</h2><ul class="family-children">${children.map((c) => tile(c, relationLabel(c)))}</ul>` : ''}
</section>`;
}

export function characterPage(options: { character: Character; page: GalleryPage; media: MediaLinks; spaceBase: string }): Html {
  const { character, spaceBase } = options;
  return layout(
    { title: character.name, spaceBase },
    html`<h1>${character.name} ${character.projectSlug ? html`<span class="tag">${character.projectSlug}</span>` : html`<span class="tag">whole space</span>`}</h1>
${character.description ? html`<p class="lead">${character.description}</p>` : ''}
<dl class="character">
  <dt>Prompt fragment</dt><dd class="prompt">${character.promptFragment}</dd>
  ${character.negativeFragment ? html`<dt>Negative fragment</dt><dd class="prompt">${character.negativeFragment}</dd>` : ''}
  ${character.referenceSeed !== null ? html`<dt>Reference seed</dt><dd>${character.referenceSeed}</dd>` : ''}
  ${character.lora ? html`<dt>LoRA</dt><dd>${character.lora.name} (${character.lora.weight})</dd>` : ''}
  ${character.referenceAssetId ? html`<dt>Reference</dt><dd><img class="reference" src="${options.media.url(character.referenceAssetId)}" alt="Reference image of ${character.name}" loading="lazy"></dd>` : ''}
</dl>
<h2>Images</h2>
${grid(options.page, { media: options.media, base: spaceBase, showProject: true })}`,
  );
}

export interface SearchForm {
  query: SearchQuery;
  /** The raw form values, echoed back into the inputs and the pager. */
  values: Record<string, string | undefined>;
  characters: Character[];
  error?: string;
}

export function searchPage(options: { form: SearchForm; page: GalleryPage | null; media: MediaLinks; spaceBase: string }): Html {
  const { form, spaceBase } = options;
  const v = form.values;
  const selected = (value: string | undefined, option: string) => (value === option ? html` selected` : '');
  return layout(
    { title: v.q ? `Search: ${v.q}` : 'Search', spaceBase, searchText: v.q ?? '' },
    html`<h1>Search</h1>
<form class="filters" method="get" action="${spaceBase}/search">
  <label>Text <input type="search" name="q" value="${v.q ?? ''}" maxlength="200"></label>
  <label>Character <select name="character"><option value="">Any</option>${form.characters.map(
    (c) => html`<option value="${c.id}"${selected(v.character, c.id)}>${c.name}${c.projectSlug ? ` (${c.projectSlug})` : ''}</option>`,
  )}</select></label>
  <label>User <input type="text" name="user" value="${v.user ?? ''}" maxlength="64" placeholder="user id"></label>
  <label>From <input type="date" name="from" value="${v.from ?? ''}"></label>
  <label>To <input type="date" name="to" value="${v.to ?? ''}"></label>
  <label>Kind <select name="kind"><option value="">Any</option><option value="image"${selected(v.kind, 'image')}>Images</option><option value="video"${selected(v.kind, 'video')}>Clips</option></select></label>
  <button type="submit">Search</button>
</form>
${form.error ? html`<p class="error">${form.error}</p>` : ''}
${options.page ? grid(options.page, { media: options.media, base: spaceBase, showProject: true }, v) : ''}`,
  );
}
