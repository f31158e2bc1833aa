/**
 * Why a job failed, as codes with structured details: the closed set the worker records on the job
 * and sends in its failed event. No prose here: every adapter writes its own words for each code
 * (Discord, Slack, the web API's `message`), and a record typed by JOB_FAILURE_CODES makes the
 * compiler refuse a table that misses one. A backend's own text never travels in the details; it
 * goes to the log and to the admin-only `adminText` of the job record.
 */
export const JOB_FAILURE_CODES = [
  /** The image server refused the workflow before running it (ComfyUI POST /prompt 400). */
  'backend_rejected',
  /** A step raised while running (ComfyUI execution_error). */
  'execution_failed',
  /** Someone stopped the run on the image server itself. */
  'execution_interrupted',
  'backend_unreachable',
  'backend_busy',
  'backend_timeout',
  /** Our connection to the image server was closed (shutdown, restart). */
  'backend_closed',
  /** The image server forgot the job (it restarted mid-run). */
  'backend_lost',
  /** The image server answered something we could not use. */
  'backend_error',
  'no_output',
  'unreadable_output',
  /** A workflow template does not fit what the service needs; an operator must fix it. */
  'workflow_invalid',
  /** This worker lacks a tool the output needs (ffmpeg for MP4); an operator must install it. */
  'media_tool_missing',
  /** A value in the job the backend cannot take (a LoRA name or weight). */
  'invalid_input',
  /** The worker running the job stopped too many times. */
  'stalled',
  /** Anything unforeseen: a bug. The reference id leads to the log. */
  'internal',
] as const;

export type JobFailureCode = (typeof JOB_FAILURE_CODES)[number];

/** Where in a workflow: the node's id and its type (the step, e.g. "KSampler"). */
export interface NodePlace {
  node?: string;
  nodeType?: string;
}

/** The details each code carries. Every field is optional: old records and odd payloads lack them. */
export interface JobFailureDetails {
  backend_rejected: NodePlace & {
    /** The input at fault, e.g. "steps". */
    input?: string;
    /** ComfyUI's error type, e.g. "value_not_in_list", "value_bigger_than_max", "missing_node_type". */
    problem?: string;
  };
  execution_failed: NodePlace;
  execution_interrupted: Record<never, never>;
  backend_unreachable: Record<never, never>;
  backend_busy: Record<never, never>;
  backend_timeout: Record<never, never>;
  backend_closed: Record<never, never>;
  backend_lost: Record<never, never>;
  backend_error: Record<never, never>;
  no_output: Record<never, never>;
  unreadable_output: Record<never, never>;
  workflow_invalid: Record<never, never>;
  media_tool_missing: Record<never, never>;
  invalid_input: { field?: 'lora.name' | 'lora.weight' | 'model' };
  stalled: Record<never, never>;
  internal: Record<never, never>;
}

/** The detail fields each code may carry, so details read back from storage keep only those. */
const DETAIL_FIELDS: { readonly [C in JobFailureCode]: ReadonlyArray<keyof JobFailureDetails[C] & string> } = {
  backend_rejected: ['node', 'nodeType', 'input', 'problem'],
  execution_failed: ['node', 'nodeType'],
  execution_interrupted: [],
  backend_unreachable: [],
  backend_busy: [],
  backend_timeout: [],
  backend_closed: [],
  backend_lost: [],
  backend_error: [],
  no_output: [],
  unreadable_output: [],
  workflow_invalid: [],
  media_tool_missing: [],
  invalid_input: ['field'],
  stalled: [],
  internal: [],
};

/** One adapter's words: a function per code. Missing a code does not compile. */
export type JobFailureWords = { readonly [C in JobFailureCode]: (details: JobFailureDetails[C]) => string };

export function isJobFailureCode(value: unknown): value is JobFailureCode {
  return typeof value === 'string' && (JOB_FAILURE_CODES as readonly string[]).includes(value);
}

/** Longest detail value kept: details name things (a node type, an input), they are not text. */
const MAX_DETAIL = 80;

/** The details of `code` found in `raw` (an event's or a record's): known fields with short text only. */
export function detailsOf<C extends JobFailureCode>(code: C, raw: Readonly<Record<string, unknown>> | undefined): JobFailureDetails[C] & Readonly<Record<string, string>> {
  const picked: Record<string, string> = {};
  for (const field of DETAIL_FIELDS[code]) {
    const value = raw?.[field];
    if ((typeof value === 'string' && value.length > 0) || typeof value === 'number') picked[field] = String(value).slice(0, MAX_DETAIL);
  }
  return picked as JobFailureDetails[C] & Record<string, string>;
}

/**
 * An adapter's words for a recorded failure. A code outside the set (a record older than the set,
 * or written by a newer worker) reads as `internal`, so every failure still gets words.
 */
export function describeJobFailure(words: JobFailureWords, code: string | undefined, raw?: Readonly<Record<string, unknown>>): string {
  const known: JobFailureCode = isJobFailureCode(code) ? code : 'internal';
  return wordsFor(words, known, detailsOf(known, raw));
}

function wordsFor<C extends JobFailureCode>(words: JobFailureWords, code: C, details: JobFailureDetails[C]): string {
  // TypeScript cannot tie the indexed function to the same C (correlated union); the record's type guarantees it.
  return (words[code] as (d: JobFailureDetails[C]) => string)(details);
}
