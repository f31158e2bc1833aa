import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import semver from 'semver';
import { expect, test } from 'vitest';

/** The oldest release of each Node line the README promises (22 and 24; 20 kept working). */
const PROMISED_NODES = ['20.19.0', '22.13.0', '24.0.0'];

interface LockedPackage {
  version?: string;
  engines?: { node?: string };
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}

const root = new URL('../../', import.meta.url);
const readJson = <T>(name: string) => JSON.parse(readFileSync(new URL(name, root), 'utf8')) as T;

/** npm skips an optional package built for another platform, so its engines never matter here. */
function installedHere(pkg: LockedPackage): boolean {
  const allows = (list: string[] | undefined, value: string) =>
    !list || list.includes(value) || (list.some((v) => v.startsWith('!')) && !list.includes(`!${value}`));
  return !pkg.optional || (allows(pkg.os, process.platform) && allows(pkg.cpu, process.arch));
}

test('package.json promises exactly the Node lines the README does, and this Node is one of them', () => {
  const range = readJson<{ engines: { node: string } }>('package.json').engines.node;
  for (const version of PROMISED_NODES) expect(semver.satisfies(version, range), `${version} in ${range}`).toBe(true);
  expect(semver.satisfies('20.18.0', range), 'undici and eslint need 20.19').toBe(false);
  expect(semver.satisfies(process.version, range)).toBe(true);
});

test('every locked package runs on every promised Node (npm ci prints no EBADENGINE)', () => {
  const lock = readJson<{ packages: Record<string, LockedPackage> }>('package-lock.json');
  const mismatches: string[] = [];
  for (const [path, pkg] of Object.entries(lock.packages)) {
    const range = pkg.engines?.node;
    if (path === '' || !range || !installedHere(pkg)) continue;
    const refused = PROMISED_NODES.filter((version) => !semver.satisfies(version, range));
    if (refused.length > 0) mismatches.push(`${path}@${pkg.version} wants node ${range}, refuses ${refused.join(', ')}`);
  }
  expect(mismatches).toEqual([]);
});

test('fastify inject still sends cookies with the cookie 1.x that package.json overrides in', async () => {
  // light-my-request asks for cookie 2 (Node 22+ only); the override pins 1.x, same stringifySetCookie.
  const app = Fastify();
  app.get('/', (request) => ({ cookie: request.headers.cookie ?? null }));
  try {
    const response = await app.inject({ url: '/', cookies: { session: 'a b', theme: 'dark' } });
    expect(response.json()).toEqual({ cookie: 'session=a%20b; theme=dark' });
  } finally {
    await app.close();
  }
});
