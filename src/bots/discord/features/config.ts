import type { ChatInputCommandInteraction } from 'discord.js';
import type { Viewer } from '../../../core/generate-service.js';
import type { Outcome } from '../../../core/outcome.js';
import type { SpaceSettings } from '../../../core/policy/space-settings.js';
import { isRole } from '../../../core/roles.js';
import type { BotContext } from '../context.js';
import { UserMistake } from '../error-boundary.js';
import { answerPrivately, sayOutcome } from './private-command.js';

type Options = ChatInputCommandInteraction['options'];

/** The id of a role/channel/user option. Read from the option value, so it works without `resolved` data. */
function idOption(options: Options, name: string): string {
  return String(options.get(name, true).value);
}

function appRole(options: Options) {
  const role = options.getString('app_role', true);
  if (!isRole(role)) throw new UserMistake('The `app_role` option must be viewer, creator, moderator or admin.');
  return role;
}

function describeLimits(settings: SpaceSettings): string {
  const { overrides, ...space } = settings.limits;
  const gpu = (minutes: number | null | undefined) => (minutes === undefined ? 'not set' : minutes === null ? 'no quota' : `${minutes} min/day`);
  const fmt = (l: { ratePerMinute?: number; burst?: number; maxPending?: number; gpuMinutesPerDay?: number | null }) =>
    `rate ${l.ratePerMinute ?? 'default'}/min, burst ${l.burst ?? 'default'}, pending ${l.maxPending ?? 'default'}, GPU ${gpu(l.gpuMinutesPerDay)}`;
  const lines = [`Everyone: ${fmt(space)}`];
  for (const [role, l] of Object.entries(overrides)) if (l) lines.push(`${role}: ${fmt(l)}`);
  return lines.join('\n');
}

function describePolicy(settings: SpaceSettings): string {
  const c = settings.content;
  return [
    `Blocked words: ${c.blocklist.length ? c.blocklist.map((w) => `\`${w}\``).join(', ') : 'none'}`,
    `NSFW channels (besides Discord's own flag): ${c.nsfwChannels.length ? c.nsfwChannels.map((id) => `<#${id}>`).join(', ') : 'none'}`,
    `Negative prompt: ${c.negativePrompt ? `\`${c.negativePrompt}\`` : 'none'}`,
  ].join('\n');
}

/** Settings changes read the current settings, change one thing, and write the section back. */
async function changeSettings(ctx: BotContext, viewer: Viewer, change: (s: SpaceSettings) => Partial<SpaceSettings>): Promise<Outcome<SpaceSettings>> {
  const current = await ctx.admin.settings(viewer);
  if (!current.ok) return current;
  return ctx.admin.updateSettings(viewer, change(current.value));
}

async function runConfig(ctx: BotContext, viewer: Viewer, options: Options): Promise<Outcome<string>> {
  const ok = (text: string): Outcome<string> => ({ ok: true, value: text });
  const then = <T>(outcome: Outcome<T>, text: (value: T) => string): Outcome<string> => (outcome.ok ? ok(text(outcome.value)) : outcome);
  const where = `${options.getSubcommandGroup(true)} ${options.getSubcommand(true)}`;
  switch (where) {
    case 'roles set': {
      const roleId = idOption(options, 'role');
      return then(await ctx.admin.setRoleMapping(viewer, roleId, appRole(options)), (v) => `<@&${roleId}> now counts as **${v.role}**.`);
    }
    case 'roles remove': {
      const roleId = idOption(options, 'role');
      return then(await ctx.admin.setRoleMapping(viewer, roleId, null), () => `<@&${roleId}> no longer maps to an app role.`);
    }
    case 'roles list':
      return then(await ctx.admin.roleMappings(viewer), (list) => (list.length ? list.map((m) => `<@&${m.platformRole}> → **${m.role}**`).join('\n') : 'No roles are mapped yet.'));
    case 'roles default': {
      const role = appRole(options);
      return then(await ctx.admin.updateSettings(viewer, { defaultRole: role }), () => `Members with no mapped role are now **${role}**.`);
    }
    case 'limits set': {
      const forRole = options.getString('for_role');
      const values = {
        ...(options.getInteger('rate_per_minute') !== null ? { ratePerMinute: options.getInteger('rate_per_minute')! } : {}),
        ...(options.getInteger('burst') !== null ? { burst: options.getInteger('burst')! } : {}),
        ...(options.getInteger('max_pending') !== null ? { maxPending: options.getInteger('max_pending')! } : {}),
        // 0 removes the quota (null: none, even where the server sets one).
        ...(options.getInteger('gpu_minutes_per_day') !== null ? { gpuMinutesPerDay: options.getInteger('gpu_minutes_per_day') || null } : {}),
      };
      if (Object.keys(values).length === 0) throw new UserMistake('Give at least one of `rate_per_minute`, `burst`, `max_pending` or `gpu_minutes_per_day`.');
      const outcome = await changeSettings(ctx, viewer, (s) => ({
        limits: forRole
          ? { ...s.limits, overrides: { ...s.limits.overrides, [forRole]: { ...s.limits.overrides[forRole as 'creator'], ...values } } }
          : { ...s.limits, ...values },
      }));
      return then(outcome, (s) => `Limits updated.\n${describeLimits(s)}`);
    }
    case 'limits show':
      return then(await ctx.admin.settings(viewer), describeLimits);
    case 'policy blocklist-add': {
      const word = options.getString('word', true).trim();
      const outcome = await changeSettings(ctx, viewer, (s) => ({ content: { ...s.content, blocklist: [...new Set([...s.content.blocklist, word])] } }));
      return then(outcome, () => `Prompts containing \`${word}\` are now refused.`);
    }
    case 'policy blocklist-remove': {
      const word = options.getString('word', true).trim();
      const outcome = await changeSettings(ctx, viewer, (s) => ({ content: { ...s.content, blocklist: s.content.blocklist.filter((w) => w !== word) } }));
      return then(outcome, () => `\`${word}\` is no longer blocked.`);
    }
    case 'policy nsfw-channel': {
      const channelId = idOption(options, 'channel');
      const allowed = options.getBoolean('nsfw', true);
      const outcome = await changeSettings(ctx, viewer, (s) => {
        const others = s.content.nsfwChannels.filter((id) => id !== channelId);
        return { content: { ...s.content, nsfwChannels: allowed ? [...others, channelId] : others } };
      });
      return then(outcome, () => `Adult content is now ${allowed ? 'allowed' : 'not allowed'} in <#${channelId}> (Discord's own NSFW flag also allows it).`);
    }
    case 'policy negative': {
      const text = options.getString('text')?.trim() ?? '';
      const outcome = await changeSettings(ctx, viewer, (s) => ({ content: { ...s.content, negativePrompt: text } }));
      return then(outcome, () => (text ? 'Every job now gets that negative prompt.' : 'The server-wide negative prompt is cleared.'));
    }
    case 'policy show':
      return then(await ctx.admin.settings(viewer), describePolicy);
    default:
      throw new Error(`unknown /config subcommand ${where}`);
  }
}

/** /config roles | limits | policy — admins only (the core checks; Discord also hides it from others). */
export async function handleConfig(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'config', async ({ responder, viewer }) =>
    sayOutcome(responder, await runConfig(ctx, viewer, interaction.options), 'configure'),
  );
}
