/**
 * A structural Block Kit check with Slack's published limits. Slack rejects a bad block with
 * `invalid_blocks` and lists the faults in `response_metadata.messages` as
 * "[ERROR] <reason> [json-pointer:/blocks/0/text/text]"; we produce the same shape so an app's
 * error logging is exercised. It is not a full schema: it checks what our app is likely to get
 * wrong (unknown types, over-long text, missing required fields, duplicate ids, too many blocks).
 */
import { isRecord } from './args.js';

export type Surface = 'message' | 'modal';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100 };
const KNOWN_BLOCKS = new Set([
  'actions', 'context', 'divider', 'file', 'header', 'image', 'input', 'markdown', 'rich_text',
  'section', 'video', 'table', 'context_actions',
]);
const INTERACTIVE_ELEMENTS = new Set([
  'button', 'checkboxes', 'datepicker', 'datetimepicker', 'timepicker', 'overflow', 'radio_buttons',
  'static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select',
  'multi_static_select', 'multi_external_select', 'multi_users_select', 'multi_conversations_select',
  'multi_channels_select', 'plain_text_input', 'number_input', 'email_text_input', 'url_text_input',
  'rich_text_input', 'file_input', 'workflow_button', 'feedback_buttons', 'icon_button',
]);

class Collector {
  readonly errors: string[] = [];
  add(pointer: string, reason: string): void {
    this.errors.push(`[ERROR] ${reason} [json-pointer:${pointer}]`);
  }
}

function maxLen(c: Collector, pointer: string, value: unknown, max: number, required = true): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string') return c.add(pointer, 'must be a string');
  if (value.length === 0) return c.add(pointer, 'must be more than 0 characters');
  if (value.length > max) c.add(pointer, `must be less than ${max + 1} characters`);
}

/** A text composition object: plain_text or mrkdwn, non-empty, within `max`. */
function textObject(c: Collector, pointer: string, value: unknown, max: number, plainOnly = false): void {
  if (!isRecord(value)) return c.add(pointer, 'must be a text object');
  const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (typeof value.type !== 'string' || !allowed.includes(value.type)) {
    c.add(`${pointer}/type`, `must be one of ${allowed.join(', ')}`);
  }
  maxLen(c, `${pointer}/text`, value.text, max);
}

function element(c: Collector, pointer: string, el: unknown, actionIds: Set<string>): void {
  if (!isRecord(el) || typeof el.type !== 'string') return c.add(pointer, 'must be an element object');
  if (el.type === 'image') {
    maxLen(c, `${pointer}/alt_text`, el.alt_text, 2000);
    return;
  }
  if (!INTERACTIVE_ELEMENTS.has(el.type)) return c.add(`${pointer}/type`, `unknown element type '${el.type}'`);
  if (el.action_id !== undefined) {
    maxLen(c, `${pointer}/action_id`, el.action_id, 255);
    if (typeof el.action_id === 'string') {
      if (actionIds.has(el.action_id)) c.add(`${pointer}/action_id`, 'action_id must be unique in the block');
      actionIds.add(el.action_id);
    }
  }
  if (el.type === 'button') {
    textObject(c, `${pointer}/text`, el.text, 75, true);
    maxLen(c, `${pointer}/value`, el.value, 2000, false);
    maxLen(c, `${pointer}/url`, el.url, 3000, false);
    if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
      c.add(`${pointer}/style`, "must be 'primary' or 'danger'");
    }
  }
}

function block(c: Collector, pointer: string, b: unknown, blockIds: Set<string>): void {
  if (!isRecord(b)) return c.add(pointer, 'must be an object');
  if (typeof b.type !== 'string' || !KNOWN_BLOCKS.has(b.type)) {
    return c.add(`${pointer}/type`, `unknown block type '${String(b.type)}'`);
  }
  if (b.block_id !== undefined) {
    maxLen(c, `${pointer}/block_id`, b.block_id, 255);
    if (typeof b.block_id === 'string') {
      if (blockIds.has(b.block_id)) c.add(`${pointer}/block_id`, 'block_id must be unique');
      blockIds.add(b.block_id);
    }
  }
  const actionIds = new Set<string>();
  switch (b.type) {
    case 'section':
      if (b.text === undefined && b.fields === undefined) c.add(pointer, 'must provide text or fields');
      if (b.text !== undefined) textObject(c, `${pointer}/text`, b.text, 3000);
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length > 10) c.add(`${pointer}/fields`, 'must be at most 10 items');
        else b.fields.forEach((f, i) => textObject(c, `${pointer}/fields/${i}`, f, 2000));
      }
      if (b.accessory !== undefined) element(c, `${pointer}/accessory`, b.accessory, actionIds);
      break;
    case 'header':
      textObject(c, `${pointer}/text`, b.text, 150, true);
      break;
    case 'actions':
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25) {
        c.add(`${pointer}/elements`, 'must have 1 to 25 items');
      } else b.elements.forEach((e, i) => element(c, `${pointer}/elements/${i}`, e, actionIds));
      break;
    case 'context':
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) {
        c.add(`${pointer}/elements`, 'must have 1 to 10 items');
      } else {
        b.elements.forEach((e, i) => {
          if (isRecord(e) && e.type === 'image') element(c, `${pointer}/elements/${i}`, e, actionIds);
          else textObject(c, `${pointer}/elements/${i}`, e, 3000);
        });
      }
      break;
    case 'image':
      if (b.image_url === undefined && b.slack_file === undefined) c.add(pointer, 'must provide image_url or slack_file');
      if (b.image_url !== undefined) maxLen(c, `${pointer}/image_url`, b.image_url, 3000);
      maxLen(c, `${pointer}/alt_text`, b.alt_text, 2000);
      if (b.title !== undefined) textObject(c, `${pointer}/title`, b.title, 2000, true);
      break;
    case 'input':
      textObject(c, `${pointer}/label`, b.label, 2000, true);
      element(c, `${pointer}/element`, b.element, actionIds);
      break;
    case 'markdown':
      maxLen(c, `${pointer}/text`, b.text, 12000);
      break;
    default:
      break;
  }
}

/** Returns Slack-style error lines; an empty list means the blocks would be accepted. */
export function validateBlocks(blocks: unknown, surface: Surface): string[] {
  const c = new Collector();
  if (!Array.isArray(blocks)) {
    c.add('/blocks', 'must be an array');
    return c.errors;
  }
  if (blocks.length > MAX_BLOCKS[surface]) {
    c.add('/blocks', `no more than ${MAX_BLOCKS[surface]} items allowed`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((b, i) => block(c, `/blocks/${i}`, b, blockIds));
  return c.errors;
}
