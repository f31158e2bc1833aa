import { describe, expect, test } from 'vitest';
import { startDiscord } from '../../src/app/discord-part.js';
import type { Runtime } from '../../src/app/runtime.js';
import { discordCommands } from '../../commands/discord-commands.js';

describe('the Discord part', () => {
  test('refuses to start without credentials, saying which', async () => {
    const runtime = { config: { DISCORD_TOKEN: undefined, DISCORD_APP_ID: undefined } } as unknown as Runtime;
    await expect(startDiscord(runtime)).rejects.toThrow(/DISCORD_TOKEN and DISCORD_APP_ID/);
  });

  test('every command, option and choice has a Japanese name and description', () => {
    const names = /^[-_\p{L}\p{N}]{1,32}$/u;
    const visit = (item: Record<string, unknown>) => {
      const ja = (item.name_localizations as { ja?: string } | undefined)?.ja;
      expect(ja, String(item.name)).toMatch(names);
      expect(String(item.name)).toMatch(/^[-_a-z0-9]{1,32}$/);
      if ('description' in item) expect((item.description_localizations as { ja?: string }).ja).toBeTruthy();
      for (const child of [...((item.options as Record<string, unknown>[] | undefined) ?? []), ...((item.choices as Record<string, unknown>[] | undefined) ?? [])]) visit(child);
    };
    for (const command of discordCommands) visit(command as unknown as Record<string, unknown>);
    const admin = discordCommands.filter((c) => c.name === 'config' || c.name === 'token');
    expect(admin.map((c) => (c as { default_member_permissions?: string }).default_member_permissions)).toEqual(['32', '32']);
  });
});
