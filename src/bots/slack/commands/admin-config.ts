import type { App } from '@slack/bolt';
import type { Viewer } from '../../../core/generate-service.js';
import type { LimitOverrides, SpaceSettings } from '../../../core/policy/space-settings.js';
import { isRole } from '../../../core/roles.js';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake } from '../error-boundary.js';
import { escapeSlackText } from '../escape.js';
import { ephemeralCommand, unwrap } from './ephemeral-command.js';

const CONFIG_HELP = [
  '*/anime-config* — workspace settings (admins)',
  '• `roles` · `roles set @group <viewer|creator|moderator|admin>` · `roles remove @group`',
  '• `limits` · `limits set rate=N burst=N pending=N gpu=N [role=creator|moderator|admin]` (per user: per minute / extra burst / jobs waiting / GPU minutes per UTC day, `gpu=off` removes the quota)',
  '• `policy` · `policy default-role <viewer|creator>` · `policy block <word>` · `policy unblock <word>`',
  '• `policy negative <text>` (`policy negative -` clears) · `policy nsfw add|remove #channel`',
].join('\n');

/** A user group as Slack escapes it in commands (`<!subteam^S123|@name>`) or its bare id. */
export function readUsergroup(word: string | undefined): string | undefined {
  const match = /^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word ?? '') ?? /^(S[A-Z0-9]{2,})$/.exec(word ?? '');
  return match?.[1];
}

function readChannel(word: string | undefined): string | undefined {
  return (/^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word ?? '') ?? /^([CG][A-Z0-9]{2,})$/.exec(word ?? ''))?.[1];
}

function showLimits(s: SpaceSettings): string {
  const v = (n: number | undefined) => (n === undefined ? 'default' : String(n));
  const gpu = (n: number | null | undefined) => (n === undefined ? 'not set' : n === null ? 'no quota' : `${n} min/day`);
  const line = (l: LimitOverrides) => `rate per minute: ${v(l.ratePerMinute)}, burst: ${v(l.burst)}, jobs waiting: ${v(l.maxPending)}, GPU: ${gpu(l.gpuMinutesPerDay)}`;
  const { overrides, ...space } = s.limits;
  const roles = Object.entries(overrides).flatMap(([role, l]) => (l ? [`• ${role}: ${line(l)}`] : []));
  return [`*Limits* — ${line(space)}`, ...roles].join('\n');
}

function showPolicy(s: SpaceSettings): string {
  const c = s.content;
  return [
    `*Policy* — default role: ${s.defaultRole}`,
    `blocked words: ${c.blocklist.length ? c.blocklist.map((w) => `\`${escapeSlackText(w)}\``).join(', ') : 'none'}`,
    `space negative prompt: ${c.negativePrompt ? escapeSlackText(c.negativePrompt) : 'none'}`,
    `NSFW channels: ${c.nsfwChannels.length ? c.nsfwChannels.map((id) => `<#${id}>`).join(', ') : 'none'}`,
  ].join('\n');
}

const LIMIT_KEYS: Record<string, 'ratePerMinute' | 'burst' | 'maxPending' | 'gpuMinutesPerDay'> = { rate: 'ratePerMinute', burst: 'burst', pending: 'maxPending', gpu: 'gpuMinutesPerDay' };
const OVERRIDE_ROLES = new Set(['creator', 'moderator', 'admin']);

async function run(deps: SlackFeatureDeps, viewer: Viewer, words: string[], rest: (from: number) => string): Promise<string> {
  // Our own answers name groups by id, never as <!subteam^…>: that would notify the whole group.
  const [area, verb, arg1, arg2] = words;
  const admin = deps.admin;
  if (area === 'roles') {
    if (!verb) {
      const rows = unwrap(await admin.roleMappings(viewer));
      return rows.length ? ['*Role mapping*', ...rows.map((r) => `• \`${r.platformRole}\` → ${r.role}`)].join('\n') : 'No user groups are mapped yet.';
    }
    const group = readUsergroup(arg1);
    if (!group) throw new UserMistake('Name the user group by mentioning it, e.g. `roles set @artists creator`.');
    if (verb === 'set') {
      const role = arg2?.toLowerCase();
      if (!isRole(role)) throw new UserMistake('The role must be one of viewer, creator, moderator, admin.');
      unwrap(await admin.setRoleMapping(viewer, group, role));
      return `Members of user group \`${group}\` are now ${role}s.`;
    }
    if (verb === 'remove') {
      unwrap(await admin.setRoleMapping(viewer, group, null));
      return `User group \`${group}\` is no longer mapped.`;
    }
  }
  const settings = unwrap(await admin.settings(viewer));
  if (area === 'limits') {
    if (!verb) return showLimits(settings);
    if (verb === 'set') {
      const values: LimitOverrides = {};
      let role: 'creator' | 'moderator' | 'admin' | undefined;
      for (const pair of words.slice(2)) {
        const [key, value] = pair.split('=');
        if (key === 'role' && OVERRIDE_ROLES.has(value?.toLowerCase() ?? '')) {
          role = value!.toLowerCase() as typeof role;
          continue;
        }
        const field = LIMIT_KEYS[key ?? ''];
        // gpu=0 or gpu=off: no quota (for a role: even where the workspace sets one).
        if (field === 'gpuMinutesPerDay' && (value === 'off' || value === '0')) values.gpuMinutesPerDay = null;
        else if (!field || !/^\d{1,6}$/.test(value ?? '')) throw new UserMistake('Write limits as `rate=N burst=N pending=N gpu=N`, optionally with `role=creator|moderator|admin`.');
        else values[field] = Number(value);
      }
      const limits = role
        ? { ...settings.limits, overrides: { ...settings.limits.overrides, [role]: { ...settings.limits.overrides[role], ...values } } }
        : { ...settings.limits, ...values };
      return showLimits(unwrap(await admin.updateSettings(viewer, { limits })));
    }
  }
  if (area === 'policy') {
    if (!verb) return showPolicy(settings);
    const content = { ...settings.content };
    if (verb === 'default-role') return showPolicy(unwrap(await admin.updateSettings(viewer, { defaultRole: arg1?.toLowerCase() })));
    if (verb === 'block' || verb === 'unblock') {
      const word = rest(2);
      if (!word) throw new UserMistake(`Usage: \`policy ${verb} <word or phrase>\``);
      content.blocklist = verb === 'block' ? [...new Set([...content.blocklist, word])] : content.blocklist.filter((w) => w !== word);
    } else if (verb === 'negative') {
      content.negativePrompt = rest(2) === '-' ? '' : rest(2);
    } else if (verb === 'nsfw') {
      const channel = readChannel(arg2);
      if (!channel || (arg1 !== 'add' && arg1 !== 'remove')) throw new UserMistake('Usage: `policy nsfw add|remove #channel`');
      content.nsfwChannels = arg1 === 'add' ? [...new Set([...content.nsfwChannels, channel])] : content.nsfwChannels.filter((c) => c !== channel);
    } else {
      return CONFIG_HELP;
    }
    return showPolicy(unwrap(await admin.updateSettings(viewer, { content })));
  }
  return CONFIG_HELP;
}

/** `/anime-config ...`: role mapping, limits and content policy through the core's admin service. */
export function registerConfigCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/anime-config', ephemeralCommand(deps, '/anime-config', async ({ text, place, viewer }) => {
    const words = text.split(/\s+/).filter(Boolean);
    const rest = (from: number) => words.slice(from).join(' ');
    const answer = await run(deps, await viewer(), words.map((w, i) => (i < 2 ? w.toLowerCase() : w)), rest);
    // A changed mapping must apply to the very next request: drop cached group members.
    if (words[0]?.toLowerCase() === 'roles') deps.actors.forgetWorkspace(place.teamId);
    return answer;
  }));
}
