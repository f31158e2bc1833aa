import type { ChatInputCommandInteraction } from 'discord.js';
import { formatGpuTime, utcDayStart } from '../../../core/usage/gpu-quota.js';
import type { UsageQuery, UsageReport } from '../../../core/usage/usage-service.js';
import type { BotContext } from '../context.js';
import { describeFailure } from '../words.js';
import { answerPrivately } from './private-command.js';

const DEFAULT_DAYS = 7;
const DAY_MS = 86_400_000;

function heading(report: UsageReport, userId: string | null): string {
  const { scope } = report;
  if (scope.kind === 'space') return '**GPU time of this server**';
  if (scope.kind === 'project') return `**GPU time of project \`${scope.project}\`**`;
  return scope.self ? '**Your GPU time**' : `**GPU time of <@${userId}>**`;
}

/** The report in Discord's words; times in the reader's own zone through `<t:…>`, days in UTC. */
export function usageText(report: UsageReport, userId: string | null = null): string {
  const lines = [`${heading(report, userId)} — UTC days ${report.from} to ${report.to}`];
  const { quota } = report;
  if (quota) {
    const reset = Math.floor(quota.resetsAt.getTime() / 1000);
    lines.push(
      quota.limitSeconds === null
        ? `Today: ${formatGpuTime(quota.usedSeconds)} used; no daily quota.`
        : `Today: ${formatGpuTime(quota.usedSeconds)} of ${formatGpuTime(quota.limitSeconds)} used, **${formatGpuTime(quota.leftSeconds ?? 0)} left**. Resets at 00:00 UTC (<t:${reset}:t>, <t:${reset}:R>).`,
    );
  }
  for (const day of report.days) {
    const backends = Object.entries(day.backends).map(([name, s]) => `${name} ${formatGpuTime(s)}`).join(', ');
    lines.push(`\`${day.day}\` ${formatGpuTime(day.gpuSeconds)}${day.attempts ? ` · ${day.attempts} attempt${day.attempts === 1 ? '' : 's'}${backends ? ` (${backends})` : ''}` : ''}`);
  }
  lines.push(`Total: ${formatGpuTime(report.totalGpuSeconds)}`);
  return lines.join('\n');
}

/** /usage [user] [project] [server] [days]: your own GPU time, or (admins) a member's, a project's or the server's. */
export async function handleUsage(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await answerPrivately(ctx, interaction, 'usage', async ({ responder, viewer }) => {
    const { options } = interaction;
    const userId = options.get('user')?.value;
    const days = options.getInteger('days') ?? DEFAULT_DAYS;
    const query: UsageQuery = {
      from: new Date(utcDayStart(new Date()).getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10),
      ...(userId !== undefined ? { user: String(userId) } : {}),
      ...(options.getString('project') ? { project: options.getString('project')! } : {}),
      ...(options.getBoolean('server') ? { space: true } : {}),
    };
    const report = await ctx.usage.report(viewer, query);
    await responder.say(report.ok ? usageText(report.value, userId === undefined ? null : String(userId)) : describeFailure(report, 'usage'));
  });
}
