import { MAX_SEARCH_LIMIT, type SearchQuery } from '../../core/gallery/gallery-service.js';
import { fail, ok, type Outcome } from '../../core/outcome.js';

export type RawSearch = Partial<Record<'q' | 'character' | 'user' | 'project' | 'from' | 'to' | 'kind' | 'model' | 'cursor' | 'limit', string>>;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'YYYY-MM-DD' as the start of that day in UTC; null when it is not a real date. */
function day(text: string): Date | null {
  const match = DAY.exec(text);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text ? date : null;
}

function single(value: unknown): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' && text.trim() !== '' ? text.trim() : undefined;
}

/** The raw query string values this feature reads (first of repeated keys; blanks dropped). */
export function rawSearch(queryString: unknown): RawSearch {
  const source = (typeof queryString === 'object' && queryString !== null ? queryString : {}) as Record<string, unknown>;
  const out: RawSearch = {};
  for (const key of ['q', 'character', 'user', 'project', 'from', 'to', 'kind', 'model', 'cursor', 'limit'] as const) {
    const value = single(source[key]);
    if (value !== undefined) out[key] = value.slice(0, 300);
  }
  return out;
}

/**
 * Filters from a query string (the API and the search page share it). Dates are whole UTC days and
 * both ends are included: `to=2025-06-01` means up to the end of that day.
 */
export function parseSearch(raw: RawSearch): Outcome<SearchQuery> {
  const query: SearchQuery = {};
  if (raw.q) query.text = raw.q;
  if (raw.character) query.character = raw.character;
  if (raw.user) {
    if (!/^[\w.@:-]{1,64}$/.test(raw.user)) return fail({ reason: 'field_invalid', field: 'user', rule: 'user_id' });
    query.user = raw.user;
  }
  if (raw.project) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(raw.project)) return fail({ reason: 'field_invalid', field: 'project', rule: 'project_slug' });
    query.project = raw.project;
  }
  if (raw.from) {
    const from = day(raw.from);
    if (!from) return fail({ reason: 'field_invalid', field: 'from', rule: 'date', example: '2025-06-01' });
    query.from = from;
  }
  if (raw.to) {
    const to = day(raw.to);
    if (!to) return fail({ reason: 'field_invalid', field: 'to', rule: 'date', example: '2025-06-30' });
    query.to = new Date(to.getTime() + 86_400_000);
  }
  if (raw.kind) {
    if (raw.kind !== 'image' && raw.kind !== 'video') return fail({ reason: 'field_invalid', field: 'kind', rule: 'one_of', values: ['image', 'video'] });
    query.kind = raw.kind;
  }
  if (raw.model) {
    if (!/^[a-z0-9][a-z0-9._-]{0,47}$/.test(raw.model)) return fail({ reason: 'field_invalid', field: 'model', rule: 'model_id' });
    query.model = raw.model;
  }
  if (raw.limit) {
    // Above the cap is not a mistake: the service returns its most (MAX_SEARCH_LIMIT).
    if (!/^\d{1,9}$/.test(raw.limit) || Number(raw.limit) < 1) return fail({ reason: 'field_invalid', field: 'limit', rule: 'page_size', served: MAX_SEARCH_LIMIT });
    query.limit = Number(raw.limit);
  }
  return ok(query);
}
