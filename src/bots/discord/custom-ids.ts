/**
 * Button custom ids carry the action and the job id (`ap:reroll:<uuid>`; Variations and Upscale
 * add the output, `ap:vary:<uuid>:1`), so a click works in any process and after any restart:
 * nothing about the button lives in memory.
 */
import { isUuid } from '../../core/ids.js';

export type ButtonAction = 'reroll' | 'delete' | 'cancel';

const PREFIX = 'ap';
const ACTIONS: readonly ButtonAction[] = ['reroll', 'delete', 'cancel'];

export function buttonId(action: ButtonAction, jobId: string): string {
  return `${PREFIX}:${action}:${jobId}`;
}

export function parseButtonId(customId: string): { action: ButtonAction; jobId: string } | undefined {
  const [prefix, action, jobId, extra] = customId.split(':');
  if (prefix !== PREFIX || !jobId || !isUuid(jobId) || extra !== undefined) return undefined;
  if (!(ACTIONS as readonly string[]).includes(action ?? '')) return undefined;
  return { action: action as ButtonAction, jobId };
}

export type OutputAction = 'vary' | 'upscale';

export function outputButtonId(action: OutputAction, jobId: string, output: number): string {
  return `${PREFIX}:${action}:${jobId}:${output}`;
}

export function parseOutputButtonId(customId: string): { action: OutputAction; jobId: string; output: number } | undefined {
  const [prefix, action, jobId, output, extra] = customId.split(':');
  if (prefix !== PREFIX || (action !== 'vary' && action !== 'upscale') || !jobId || !isUuid(jobId) || extra !== undefined) return undefined;
  if (!output || !/^\d$/.test(output)) return undefined;
  return { action, jobId, output: Number(output) };
}
