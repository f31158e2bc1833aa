import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const CORE = fileURLToPath(new URL('../../src/core', import.meta.url));
const FORBIDDEN_PACKAGES = /^(?:(?:discord\.js|bullmq|ioredis|pg|drizzle-orm|fastify|sharp|pino|ws|bottleneck|jose)(?:\/|$)|@discordjs\/|@slack\/|@fastify\/)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

test('the core imports no adapter, no infrastructure and no platform or queue SDK', () => {
  const offences: string[] = [];
  for (const file of sources(CORE)) {
    for (const specifier of imports(file)) {
      const outside = specifier.startsWith('.') && relative(CORE, resolve(file, '..', specifier)).startsWith('..');
      if (outside || FORBIDDEN_PACKAGES.test(specifier)) offences.push(`${relative(CORE, file)} imports ${specifier}`);
    }
  }
  expect(offences).toEqual([]);
});

test('the check itself catches an adapter import', () => {
  expect(FORBIDDEN_PACKAGES.test('discord.js')).toBe(true);
  expect(FORBIDDEN_PACKAGES.test('@slack/bolt')).toBe(true);
  expect(FORBIDDEN_PACKAGES.test('bullmq')).toBe(true);
  expect(FORBIDDEN_PACKAGES.test('zod')).toBe(false);
  expect(relative(CORE, resolve(CORE, 'x.ts', '..', '../bots/discord/router.js')).startsWith('..')).toBe(true);
});
