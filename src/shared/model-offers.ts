/**
 * The models an operator offers (COMFYUI_MODELS), parsed once with the rest of the config.
 *
 *   COMFYUI_MODELS=anything-v5=Anything V5:anything-v5.safetensors, pony=Pony XL:@pony-xl
 *
 * Entries are comma-separated, each `id=Display name:target`; the target is a checkpoint file as
 * ComfyUI lists it (`sd15/anything-v5.safetensors`), `@template` (a whole workflow under
 * workflows/, its own checkpoint), or `checkpoint@template` (that template with that checkpoint).
 * The first entry is the default. Unset: one entry, the configured template as it stands.
 */
export interface ModelOffer {
  /** What users type and what the job records: lowercase letters, digits, dot, dash, underscore. */
  id: string;
  /** What users read. */
  label: string;
  /** Checkpoint set into the template's model loader; absent: the template's own. */
  checkpoint?: string;
  /** Template used for image jobs instead of COMFYUI_WORKFLOW. */
  template?: string;
}

export const BUILTIN_MODEL: ModelOffer = { id: 'builtin', label: 'Built-in renderer' };
export const TEMPLATE_DEFAULT_MODEL: ModelOffer = { id: 'default', label: 'Default' };

const ID = /^[a-z0-9][a-z0-9._-]{0,47}$/;
const TEMPLATE = /^[a-z0-9_-]+$/;

/** A checkpoint name is a file name on the ComfyUI box, possibly in a subfolder; never a path outside it. */
export function isCheckpointName(name: string): boolean {
  const control = [...name].some((c) => c.charCodeAt(0) < 0x20);
  return name.length > 0 && name.length <= 200 && !control && !name.startsWith('/') && !/(^|[\\/])\.\.([\\/]|$)|^[A-Za-z]:|[@,]/.test(name);
}

/** Parses COMFYUI_MODELS; problems are returned as whole sentences, one per bad entry. */
export function parseModelOffers(text: string): { offers: ModelOffer[]; problems: string[] } {
  const offers: ModelOffer[] = [];
  const problems: string[] = [];
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    const shown = `"${entry.slice(0, 80)}"`;
    const eq = entry.indexOf('=');
    const colon = entry.indexOf(':', eq + 1);
    if (eq <= 0 || colon < 0) {
      problems.push(`COMFYUI_MODELS: ${shown} is not id=Display name:checkpoint (or :@template)`);
      continue;
    }
    const id = entry.slice(0, eq).trim();
    const label = entry.slice(eq + 1, colon).trim();
    const target = entry.slice(colon + 1).trim();
    const at = target.lastIndexOf('@');
    const checkpoint = (at < 0 ? target : target.slice(0, at)).trim();
    const template = at < 0 ? undefined : target.slice(at + 1).trim();
    if (!ID.test(id)) problems.push(`COMFYUI_MODELS: id "${id.slice(0, 48)}" must be 1-48 lowercase letters, digits, dot, dash or underscore`);
    else if (offers.some((o) => o.id === id)) problems.push(`COMFYUI_MODELS: id "${id}" is listed twice`);
    else if (label.length === 0 || label.length > 80) problems.push(`COMFYUI_MODELS: ${shown} needs a display name of 1-80 characters`);
    else if (checkpoint !== '' && !isCheckpointName(checkpoint)) problems.push(`COMFYUI_MODELS: ${shown} names a checkpoint that is not a file name`);
    else if (template !== undefined && !TEMPLATE.test(template)) problems.push(`COMFYUI_MODELS: ${shown} names a template that is not a name from workflows/`);
    else if (checkpoint === '' && template === undefined) problems.push(`COMFYUI_MODELS: ${shown} names neither a checkpoint nor a template`);
    else offers.push({ id, label, ...(checkpoint ? { checkpoint } : {}), ...(template ? { template } : {}) });
  }
  return { offers, problems };
}

/** What this install offers: the built-in renderer's one entry, or the ComfyUI list (default: the template as it is). */
export function offeredModels(comfyUi: boolean, text: string | undefined, problems: string[]): ModelOffer[] {
  if (!comfyUi) return [BUILTIN_MODEL];
  if (!text) return [TEMPLATE_DEFAULT_MODEL];
  const parsed = parseModelOffers(text);
  problems.push(...parsed.problems);
  if (parsed.offers.length === 0 && parsed.problems.length === 0) return [TEMPLATE_DEFAULT_MODEL];
  return parsed.offers;
}
