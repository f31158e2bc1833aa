/**
 * Button custom ids carry the action and the job id (`ap:reroll:<uuid>`), so a click works in any
 * process and after any restart: nothing about the button lives in memory.
 */
import { isUuid } from '../../core/ids.js';

export type ButtonAction = 'reroll' | 'delete' | 'cancel';

const PREFIX = 'ap';
const ACTIONS: readonly ButtonAction[] = ['reroll', 'delete', 'cancel'];

export function buttonId(action: ButtonAction, jobId: string): string {
  return `${PREFIX}:${action}:${jobId}`;
}

export function parseButtonId(customId: string): { action: ButtonAction; jobId: string } | undefined {
  const [prefix, action, jobId] = customId.split(':');
  if (prefix !== PREFIX || !jobId || !isUuid(jobId)) return undefined;
  if (!(ACTIONS as readonly string[]).includes(action ?? '')) return undefined;
  return { action: action as ButtonAction, jobId };
}
