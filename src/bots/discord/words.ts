import type { Failure } from '../../core/outcome.js';
import { formatGpuTime } from '../../core/usage/gpu-quota.js';

/** What the user was doing, so a refusal can say what it refused. */
export type Doing = 'generate' | 'cancel' | 'delete' | 'reroll' | 'configure' | 'token' | 'list' | 'project' | 'character' | 'browse' | 'usage';

/** Where the core's own not_found message names the missing thing (a project, a character). */
const NAMES_WHAT_IS_MISSING: ReadonlySet<Doing> = new Set(['generate', 'project', 'character', 'browse', 'usage']);

/** The request fields as the user knows them: the slash-command option names. */
const FIELD_NAMES: Record<string, string> = {
  prompt: 'prompt',
  negativePrompt: 'negative',
  width: 'aspect',
  height: 'aspect',
  seed: 'seed',
  count: 'count',
  project: 'project',
  platform_role: 'role',
  user: 'user',
  days: 'days',
  characters: 'character',
  name: 'name',
  slug: 'slug',
  description: 'description',
  visibility: 'visibility',
  promptFragment: 'fragment',
  negativeFragment: 'negative',
  referenceSeed: 'seed',
  lora: 'lora',
  'lora.name': 'lora',
  'lora.weight': 'lora_weight',
  q: 'text',
  channel: 'channel',
};

const FORBIDDEN: Record<Doing, string> = {
  generate: 'Your role in this server cannot generate images. Ask a server admin for a creator role.',
  reroll: 'Your role in this server cannot generate images. Ask a server admin for a creator role.',
  cancel: 'Only the author of this job or a moderator can cancel it.',
  delete: 'Only the author of this image or a moderator can delete it.',
  configure: 'Only server admins (Manage Server) can change these settings.',
  token: 'Only server admins can issue API tokens, and never with a role above their own.',
  list: 'Only moderators can see everyone\'s jobs.',
  project: 'Only moderators can create or change projects. Ask a server admin for the moderator role.',
  character: 'Only moderators can create, edit or delete characters. Ask a server admin for the moderator role.',
  browse: 'Your role in this server cannot view the gallery.',
  usage: 'Only server admins can see another member\'s, a project\'s or the whole server\'s GPU usage. `/usage` alone shows yours.',
};

const CONTENT: Record<string, string> = {
  nsfw: 'That prompt asks for adult content, which is only allowed in channels marked NSFW.',
  blocklist: 'That prompt contains a word or phrase this server has blocked.',
  pattern: 'That prompt matches a pattern this server has blocked.',
  minors: 'That prompt is refused: sexual content involving minors is never allowed.',
};

/** Discord renders `<t:unix:R>` in the reader's own language and time zone ("in 20 seconds"). */
function whenToRetry(retryAfterMs: number | undefined, now = Date.now()): string {
  const seconds = Math.max(1, Math.ceil((retryAfterMs ?? 30_000) / 1000));
  return `<t:${Math.ceil((now + seconds * 1000) / 1000)}:R> (in about ${seconds} s)`;
}

/** The quota refusal: what was used of what, that nothing is left, and when it comes back (the reader's own time). */
function gpuQuotaWords(failure: Failure): string {
  const used = Number(failure.details?.usedSeconds ?? 0);
  const limit = Number(failure.details?.limitSeconds ?? 0);
  const resets = Date.parse(String(failure.details?.resetsAt ?? ''));
  const when = Number.isFinite(resets) ? `<t:${Math.floor(resets / 1000)}:t>, <t:${Math.floor(resets / 1000)}:R>` : 'at midnight UTC';
  return `You have used your GPU time for today: ${formatGpuTime(used)} of ${formatGpuTime(limit)}, nothing left. It resets at 00:00 UTC (${when}). \`/usage\` shows your day.`;
}

/** Words for every failure the core can return. The core's own message is used only where it names a specific thing. */
export function describeFailure(failure: Failure, doing: Doing, now = Date.now()): string {
  switch (failure.code) {
    case 'forbidden':
      return FORBIDDEN[doing];
    case 'rate_limited':
      return `You are generating too fast. Try again ${whenToRetry(failure.retryAfterMs, now)}.`;
    case 'too_many_pending':
      return 'You already have as many jobs waiting as you may. Wait for one to finish, or cancel one from `/jobs`.';
    case 'gpu_quota_exceeded':
      return gpuQuotaWords(failure);
    case 'queue_full':
      return `The queue is full right now. Please try again ${whenToRetry(failure.retryAfterMs, now)}.`;
    case 'content_refused':
      return CONTENT[failure.reason ?? ''] ?? 'That prompt is not allowed in this server. Please rephrase it.';
    case 'invalid_input': {
      const field = FIELD_NAMES[failure.field ?? ''] ?? failure.field ?? 'input';
      return `The \`${field}\` option is not valid: ${failure.message}.`;
    }
    case 'not_found':
      return NAMES_WHAT_IS_MISSING.has(doing) ? `Not found: ${failure.message}.` : 'That job does not exist, or it is not yours to see.';
    case 'conflict':
      return `Nothing to do: ${failure.message}.`;
    case 'unavailable':
      return 'The image service is unavailable right now. Please try again in a minute.';
    case 'internal':
      return `Something went wrong on our side.${failure.ref ? ` Reference: \`${failure.ref}\`` : ''}`;
  }
}
