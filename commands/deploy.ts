import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import { z } from 'zod';
import { discordCommands } from './discord-commands.js';

const envSchema = z.object({
  DISCORD_TOKEN: z.string({ error: 'DISCORD_TOKEN is required' }).trim().min(1, { error: 'DISCORD_TOKEN is required' }),
  DISCORD_APP_ID: z.string({ error: 'DISCORD_APP_ID is required' }).trim().regex(/^\d{5,25}$/, { error: 'DISCORD_APP_ID must be the numeric application id' }),
  DISCORD_API_BASE: z.string().trim().url({ error: 'DISCORD_API_BASE must be a URL' }).optional().or(z.literal('').transform(() => undefined)),
});

export interface DeployOptions {
  token: string;
  appId: string;
  apiBase?: string;
  guildId?: string;
}

/**
 * Bulk-overwrites the slash commands: for one guild (instant, for testing) or globally. A bulk PUT
 * replaces the whole set, so removed commands disappear and nothing is created twice.
 */
export async function deployCommands(options: DeployOptions): Promise<number> {
  const rest = new REST(options.apiBase ? { api: options.apiBase } : {}).setToken(options.token);
  const route = options.guildId ? Routes.applicationGuildCommands(options.appId, options.guildId) : Routes.applicationCommands(options.appId);
  const stored = (await rest.put(route, { body: discordCommands })) as unknown[];
  return stored.length;
}

function guildArgument(args: string[]): string | undefined {
  const at = args.indexOf('--guild');
  if (at === -1) return undefined;
  const id = args[at + 1];
  if (!id || !/^\d{5,25}$/.test(id)) throw new Error('--guild needs a numeric guild id');
  return id;
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = envSchema.safeParse(process.env);
  if (!env.success) throw new Error(env.error.issues.map((i) => i.message).join('; '));
  const guildId = guildArgument(process.argv.slice(2));
  const count = await deployCommands({
    token: env.data.DISCORD_TOKEN,
    appId: env.data.DISCORD_APP_ID,
    ...(env.data.DISCORD_API_BASE ? { apiBase: env.data.DISCORD_API_BASE } : {}),
    ...(guildId ? { guildId } : {}),
  });
  process.stdout.write(`deployed ${count} commands ${guildId ? `to guild ${guildId}` : 'globally (may take up to an hour to appear)'}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`commands:deploy failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
