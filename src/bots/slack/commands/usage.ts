import type { App } from '@slack/bolt';
import { formatGpuTime, utcDayStart } from '../../../core/usage/gpu-quota.js';
import { MAX_USAGE_DAYS, type UsageQuery, type UsageReport } from '../../../core/usage/usage-service.js';
import type { SlackFeatureDeps } from '../deps.js';
import { UserMistake } from '../error-boundary.js';
import { escapeSlackText } from '../escape.js';
import { slackResetTime } from '../words.js';
import { ephemeralCommand, unwrap } from './ephemeral-command.js';

const USAGE = '`/usage [@user | project <slug> | space] [days=N]` (N from 1 to 92; other people, projects and the workspace: admins)';
const DEFAULT_DAYS = 7;
const DAY_MS = 86_400_000;

/** The words of /usage, read into the core's query. */
export function readUsageWords(text: string, today: Date): UsageQuery {
  const words = text.split(/\s+/).filter(Boolean);
  const query: UsageQuery = {};
  let days = DEFAULT_DAYS;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const user = (/^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word) ?? /^([UW][A-Z0-9]{2,})$/.exec(word))?.[1];
    const daysMatch = /^days=(\d{1,3})$/i.exec(word);
    if (user) query.user = user;
    else if (word.toLowerCase() === 'project' && words[i + 1]) query.project = words[++i]!;
    else if (word.toLowerCase() === 'space') query.space = true;
    else if (daysMatch && Number(daysMatch[1]) >= 1 && Number(daysMatch[1]) <= MAX_USAGE_DAYS) days = Number(daysMatch[1]);
    else throw new UserMistake(`I don't understand "${escapeSlackText(word.slice(0, 30))}". Usage: ${USAGE}`);
  }
  query.from = new Date(utcDayStart(today).getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10);
  return query;
}

function heading(report: UsageReport): string {
  const { scope } = report;
  // Another member by id, never as <@…>: a report must not notify anyone.
  if (scope.kind === 'space') return '*GPU time of this workspace*';
  if (scope.kind === 'project') return `*GPU time of project \`${escapeSlackText(scope.project)}\`*`;
  return scope.self ? '*Your GPU time*' : `*GPU time of user \`${escapeSlackText(scope.user ?? '')}\`*`;
}

/** The report as mrkdwn; days are UTC days, the reset is shown in the reader's own time. */
export function usageMrkdwn(report: UsageReport): string {
  const lines = [`${heading(report)} — UTC days ${report.from} to ${report.to}`];
  const { quota } = report;
  if (quota) {
    lines.push(
      quota.limitSeconds === null
        ? `Today: ${formatGpuTime(quota.usedSeconds)} used; no daily quota.`
        : `Today: ${formatGpuTime(quota.usedSeconds)} of ${formatGpuTime(quota.limitSeconds)} used, *${formatGpuTime(quota.leftSeconds ?? 0)} left*. Resets at 00:00 UTC (${slackResetTime(quota.resetsAt.toISOString())}).`,
    );
  }
  for (const day of report.days) {
    const backends = Object.entries(day.backends).map(([name, s]) => `${escapeSlackText(name)} ${formatGpuTime(s)}`).join(', ');
    lines.push(`• \`${day.day}\` ${formatGpuTime(day.gpuSeconds)}${day.attempts ? ` · ${day.attempts} attempt${day.attempts === 1 ? '' : 's'}${backends ? ` (${backends})` : ''}` : ''}`);
  }
  lines.push(`Total: ${formatGpuTime(report.totalGpuSeconds)}`);
  return lines.join('\n');
}

/** `/usage`: your GPU time per day and what is left today; admins may ask for a member, a project or the workspace. */
export function registerUsageCommand(app: App, deps: SlackFeatureDeps): void {
  app.command('/usage', ephemeralCommand(deps, '/usage', async ({ text, viewer }) => {
    const query = readUsageWords(text, new Date());
    return usageMrkdwn(unwrap(await deps.usage.report(await viewer(), query)));
  }));
}
