import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const manifest = readFileSync('commands/slack-manifest.yml', 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [readFileSync(join(dir, entry.name), 'utf8')] : [],
  );
}

test('the manifest declares every slash command and the workflow step the app handles', () => {
  const code = sources('src/bots/slack').join('\n');
  const handled = [...code.matchAll(/app\.command\('([^']+)'/g)].map((m) => m[1]);
  const declared = [...manifest.matchAll(/^\s+- command: (\S+)$/gm)].map((m) => m[1]);
  expect(handled.length).toBeGreaterThanOrEqual(5);
  expect(declared.sort()).toEqual(handled.sort());
  expect(manifest).toMatch(/^functions:\n {2}generate_image:/m);
  for (const scope of ['commands', 'chat:write', 'files:write', 'users:read', 'usergroups:read']) expect(manifest).toContain(`- ${scope} `);
  expect(manifest).toContain('- function_executed');
  // Every URL points at the one events path.
  for (const [, url] of manifest.matchAll(/(?:url|request_url): (\S+)/g)) expect(url).toBe('https://anime.example.com/slack/events');
});

test('the workflow step declares every input the handler reads, the optional ones not required', () => {
  const step = readFileSync('src/bots/slack/workflow/generate-image-step.ts', 'utf8');
  const read = [...new Set([...step.matchAll(/inputs\.(\w+)/g)].map((m) => m[1]!))];
  const inputs = manifest.slice(manifest.indexOf('    input_parameters:'), manifest.indexOf('    output_parameters:'));
  const declared = [...inputs.matchAll(/^ {6}(\w+):\n(?: {8}.*\n)*? {8}is_required: (true|false)/gm)].map((m) => [m[1], m[2]]);
  expect(read.sort()).toEqual(declared.map(([name]) => name).sort());
  expect(Object.fromEntries(declared)).toMatchObject({ prompt: 'true', channel: 'true', negative_prompt: 'false', model: 'false', user: 'false' });
});

test('the adapter never imports a sibling adapter and the core never imports Bolt', () => {
  const slack = sources('src/bots/slack').join('\n');
  expect(slack).not.toMatch(/from '(\.\.\/)+(bots\/)?discord/);
  expect(sources('src/core').join('\n')).not.toMatch(/@slack\//);
});
