import { describeJobFailure, type JobFailureWords, type NodePlace } from '../core/job-failures.js';

/** "step “KSampler” (node 3)", or whichever part is known. */
function stepAt(d: NodePlace): string | undefined {
  if (d.nodeType) return `step “${d.nodeType}”${d.node ? ` (node ${d.node})` : ''}`;
  return d.node ? `node ${d.node}` : undefined;
}

const REJECTED_PROBLEM: Record<string, string> = {
  value_not_in_list: 'the value is not one the server has',
  value_bigger_than_max: 'the value is above its maximum',
  value_smaller_than_min: 'the value is below its minimum',
  required_input_missing: 'a required input is missing',
};

/** The web API's `message` for a failed job, per code (JSON escapes it; the web page shows it as text). */
export const JOB_FAILURE_WORDS: JobFailureWords = {
  backend_rejected: (d) => {
    const at = stepAt(d);
    if (d.problem === 'missing_node_type') return `The image server cannot run this workflow: ${at ?? 'a step'} is not installed there.`;
    const problem = d.problem ? REJECTED_PROBLEM[d.problem] : undefined;
    return `The image server refused the workflow${at ? ` at ${at}` : ''}${d.input ? `, input “${d.input}”` : ''}${problem ? `: ${problem}` : ''}.`;
  },
  execution_failed: (d) => `The image server failed while running ${stepAt(d) ?? 'the workflow'}.`,
  execution_interrupted: () => 'The run was stopped on the image server.',
  backend_unreachable: () => 'The image server could not be reached.',
  backend_busy: () => 'The image server stayed busy with other work.',
  backend_timeout: () => 'The image server took too long to answer.',
  backend_closed: () => 'The connection to the image server was closed.',
  backend_lost: () => 'The image server lost the job (it may have restarted).',
  backend_error: () => 'The image server answered with something we could not use.',
  no_output: () => 'The image server finished without producing an image.',
  unreadable_output: () => 'The image server produced a file that is not a readable image.',
  workflow_invalid: () => "The image server's workflow is misconfigured; an operator has to fix it.",
  invalid_input: (d) =>
    d.field === 'lora.name' ? 'That LoRA name is not valid.' : d.field === 'lora.weight' ? 'LoRA weights must be between -100 and 100.' : d.field === 'model' ? 'That model is no longer offered here; generate again with another one.' : 'A value in the request is not valid.',
  stalled: () => 'The worker running this job stopped too many times.',
  internal: () => 'Something went wrong on our side.',
};

export function jobFailureMessage(code: string | undefined, details: Readonly<Record<string, unknown>> | undefined): string {
  return describeJobFailure(JOB_FAILURE_WORDS, code, details);
}
