/**
 * Method arguments as Slack receives them. The WebClient form-encodes every call, so scalars
 * arrive as strings ('true', '42') and objects arrive JSON-stringified; JSON bodies carry real
 * types. These helpers accept both, so the fake behaves the same for either encoding.
 */

/** A Slack platform error: answered as HTTP 200 `{ ok: false, error, ...extra }`. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export class Args {
  constructor(readonly raw: Record<string, unknown>) {}

  has(name: string): boolean {
    const value = this.raw[name];
    return value !== undefined && value !== null && value !== '';
  }

  str(name: string, missingCode: string): string {
    const value = this.optStr(name);
    if (value === undefined || value === '') throw new SlackApiError(missingCode);
    return value;
  }

  optStr(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new SlackApiError('invalid_arguments', { detail: `${name} must be a string` });
  }

  bool(name: string): boolean {
    const value = this.raw[name];
    return value === true || value === 'true' || value === '1' || value === 1;
  }

  optInt(name: string): number | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isInteger(n) ? n : Number.NaN;
  }

  /** Parses a JSON-stringified argument; `badCode` is Slack's error for unparsable input. */
  optJson(name: string, badCode = 'invalid_arguments'): unknown {
    const value = this.raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new SlackApiError(badCode, { detail: `${name} is not valid JSON` });
    }
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
