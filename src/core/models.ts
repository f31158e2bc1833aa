import { fail, ok, type Outcome } from './outcome.js';

/** A model a user may pick, as users see it. */
export interface ModelChoice {
  id: string;
  label: string;
}

/**
 * A choice with what the workers last reported about it: true when a running backend has it,
 * false when every backend that reported lacks it, null when no backend reported lately.
 */
export interface OfferedModel extends ModelChoice {
  available: boolean | null;
  /** The same for video jobs with this model (a backend whose video template runs with it). */
  videoAvailable?: boolean | null;
}

/** The port: the configured choices, joined with the backends' latest reports. First = default. */
export interface ModelCatalog {
  list(): Promise<OfferedModel[]>;
}

/** "anything-v5 (Anything V5), pony (Pony XL)": the words every refusal names the choices with. */
export function describeChoices(choices: readonly ModelChoice[]): string {
  return choices.map((c) => (c.label === c.id ? c.id : `${c.id} (${c.label})`)).join(', ');
}

/**
 * The model a request runs on: the one named (by id, or by its display name, case-insensitively),
 * else the default. A name that is not offered, or that no backend has, is refused naming the
 * choices a user can actually use.
 */
export function pickModel(offered: readonly OfferedModel[], requested: string | undefined): Outcome<ModelChoice> {
  const usable = offered.filter((m) => m.available !== false);
  if (requested === undefined) {
    const first = offered[0];
    if (!first) return fail('invalid_input', 'model: no model is offered here', { field: 'model' });
    if (first.available !== false) return ok({ id: first.id, label: first.label });
    // The default is missing on the backend: say so, rather than silently drawing with another.
    return fail('invalid_input', `model: the default model ${first.id} is not on the image server right now; choose one of: ${describeChoices(usable) || 'none is available'}`, { field: 'model' });
  }
  const wanted = requested.trim().toLowerCase();
  const found = offered.find((m) => m.id === wanted) ?? offered.find((m) => m.label.toLowerCase() === wanted);
  const shown = requested.trim().slice(0, 48);
  if (!found) return fail('invalid_input', `model: no model named "${shown}"; choose one of: ${describeChoices(usable.length > 0 ? usable : offered)}`, { field: 'model' });
  if (found.available === false) {
    return fail('invalid_input', `model: ${found.id} is not on the image server right now; choose one of: ${describeChoices(usable) || 'none is available'}`, { field: 'model' });
  }
  return ok({ id: found.id, label: found.label });
}
