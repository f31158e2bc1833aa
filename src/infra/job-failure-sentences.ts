import type { JobFailureWords, NodePlace } from '../core/job-failures.js';

/**
 * The English sentence for each job failure code, shared by every adapter (Discord, Slack, the
 * web API): the core keeps codes and details only, and the adapters differ just in how a value
 * that came from the image server (a node type, an input name) is made safe for their format.
 * `quote` is that: Discord strips mentions and escapes markdown; Slack escapes the whole text
 * afterwards and the web sends JSON, so both pass values through unchanged.
 */
export function jobFailureSentences(quote: (serverValue: string) => string = (value) => value): JobFailureWords {
  const stepAt = (d: NodePlace): string | undefined => {
    if (d.nodeType) return `step “${quote(d.nodeType)}”${d.node ? ` (node ${quote(d.node)})` : ''}`;
    return d.node ? `node ${quote(d.node)}` : undefined;
  };
  return {
    backend_rejected: (d) => {
      const at = stepAt(d);
      if (d.problem === 'missing_node_type') return `The image server cannot run this workflow: ${at ?? 'a step'} is not installed there.`;
      const problem = d.problem ? REJECTED_PROBLEM[d.problem] : undefined;
      return `The image server refused the workflow${at ? ` at ${at}` : ''}${d.input ? `, input “${quote(d.input)}”` : ''}${problem ? `: ${problem}` : ''}.`;
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
    media_tool_missing: () => 'This worker cannot handle video files yet (a tool is missing); an operator has to install it.',
    invalid_input: (d) => INVALID_FIELD[d.field ?? ''] ?? 'A value in the request is not valid.',
    stalled: () => 'The worker running this job stopped too many times.',
    internal: () => 'Something went wrong on our side.',
  };
}

const REJECTED_PROBLEM: Record<string, string> = {
  value_not_in_list: 'the value is not one the server has',
  value_bigger_than_max: 'the value is above its maximum',
  value_smaller_than_min: 'the value is below its minimum',
  required_input_missing: 'a required input is missing',
};

const INVALID_FIELD: Record<string, string> = {
  'lora.name': 'That LoRA name is not valid.',
  'lora.weight': 'LoRA weights must be between -100 and 100.',
  model: 'That model is no longer offered here; generate again with another one.',
};
