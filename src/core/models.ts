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

/** The choices a refusal names, as plain facts (the adapters word them). */
function choicesOf(models: readonly ModelChoice[]): ModelChoice[] {
  return models.map((m) => ({ id: m.id, label: m.label }));
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
    if (!first) return fail({ reason: 'no_model_offered', field: 'model' });
    if (first.available !== false) return ok({ id: first.id, label: first.label });
    // The default is missing on the backend: say so, rather than silently drawing with another.
    return fail({ reason: 'model_missing', field: 'model', model: first.id, isDefault: true, choices: choicesOf(usable) });
  }
  const wanted = requested.trim().toLowerCase();
  const found = offered.find((m) => m.id === wanted) ?? offered.find((m) => m.label.toLowerCase() === wanted);
  const shown = requested.trim().slice(0, 48);
  if (!found) return fail({ reason: 'model_unknown', field: 'model', name: shown, choices: choicesOf(usable.length > 0 ? usable : offered) });
  if (found.available === false) {
    return fail({ reason: 'model_missing', field: 'model', model: found.id, isDefault: false, choices: choicesOf(usable) });
  }
  return ok({ id: found.id, label: found.label });
}
