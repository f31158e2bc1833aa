import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const CORE = join(SRC, 'core');
const FORBIDDEN_PACKAGES = /^(?:(?:discord\.js|bullmq|ioredis|pg|drizzle-orm|fastify|sharp|pino|ws|bottleneck|jose)(?:\/|$)|@discordjs\/|@slack\/|@fastify\/)/;

/**
 * Which layers each layer may import (its own always). A layer is a folder of src/, or a file
 * directly in it (config, main). Dependencies point one way: app wires everything and nothing
 * imports app but the entry points (main, and the CLIs that run a part's own check, e.g. doctor); the adapters (bots, web) reach data only through the core's services and
 * the ports src/app passes in; the core depends on nothing outside itself.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  shared: [],
  config: ['shared'],
  db: ['core', 'shared'],
  infra: ['core', 'db', 'shared'],
  worker: ['core', 'db', 'infra', 'shared'],
  web: ['core', 'infra', 'shared'],
  bots: ['core', 'infra', 'shared'],
  cli: ['app', 'config', 'core', 'db', 'infra', 'shared'],
  app: ['bots', 'config', 'core', 'db', 'infra', 'shared', 'web', 'worker'],
  main: ['app', 'config', 'shared'],
};

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

/** The layer a path under src/ belongs to, or undefined outside src/. */
function layerOf(path: string): string | undefined {
  const inside = relative(SRC, path);
  if (inside.startsWith('..')) return undefined;
  const [first] = inside.split(sep);
  return first!.replace(/\.[jt]s$/, '');
}

/** Every import in src/ that crosses into a layer its own may not use. */
function layerOffences(): string[] {
  const offences: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file)!;
    const allowed = ALLOWED[from];
    if (!allowed) {
      offences.push(`${relative(SRC, file)} is in no known layer`);
      continue;
    }
    for (const specifier of imports(file)) {
      if (!specifier.startsWith('.')) continue;
      const to = layerOf(resolve(file, '..', specifier));
      if (to !== from && !(to !== undefined && allowed.includes(to))) offences.push(`${relative(SRC, file)} imports ${specifier}`);
    }
  }
  return offences;
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

test('every layer imports only the layers below it: bots and web never db, worker or app; web no bot', () => {
  expect(layerOffences()).toEqual([]);
});

test('the check itself catches an adapter import', () => {
  expect(FORBIDDEN_PACKAGES.test('discord.js')).toBe(true);
  expect(FORBIDDEN_PACKAGES.test('@slack/bolt')).toBe(true);
  expect(FORBIDDEN_PACKAGES.test('bullmq')).toBe(true);
  expect(FORBIDDEN_PACKAGES.test('zod')).toBe(false);
  expect(relative(CORE, resolve(CORE, 'x.ts', '..', '../bots/discord/router.js')).startsWith('..')).toBe(true);
  const bot = join(SRC, 'bots', 'slack', 'x.ts');
  expect(layerOf(resolve(bot, '..', '../../app/runtime.js'))).toBe('app');
  expect(layerOf(resolve(bot, '..', '../../db/records.js'))).toBe('db');
  expect(layerOf(join(SRC, 'main.ts'))).toBe('main');
  expect(ALLOWED.bots).not.toContain('web');
  expect(ALLOWED.web).not.toContain('bots');
  expect(ALLOWED.web).not.toContain('worker');
});
