import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Dockerfile's CMD (exec form), as the container runs it. */
export function dockerfileCommand(): string[] {
  const line = readFileSync(`${ROOT}/Dockerfile`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CMD '));
  if (!line) throw new Error('the Dockerfile has no CMD');
  return JSON.parse(line.slice(4)) as string[];
}

/**
 * The `command:` of one service in docker-compose.yml, written as a flow sequence (valid JSON).
 * No YAML library: the compose file keeps each service's command on one line for this reason.
 */
export function composeCommand(service: string): string[] {
  return composeLine(service, /^ {4}command: (\[.*\])\s*$/, 'command');
}

/** A service's healthcheck `test:` in exec form, without its leading "CMD". */
export function composeHealthcheck(service: string): string[] {
  const [kind, ...argv] = composeLine(service, /^ {6}test: (\[.*\])\s*$/, 'healthcheck test');
  if (kind !== 'CMD') throw new Error(`the ${service} healthcheck should be in exec form (CMD), not ${kind}`);
  return argv;
}

function composeLine(service: string, pattern: RegExp, what: string): string[] {
  const lines = readFileSync(`${ROOT}/docker-compose.yml`, 'utf8').split('\n');
  const start = lines.indexOf(`  ${service}:`);
  if (start < 0) throw new Error(`docker-compose.yml has no service ${service}`);
  for (const line of lines.slice(start + 1)) {
    if (/^ {0,2}\S/.test(line)) break; // the next service or top-level key
    const match = pattern.exec(line);
    if (match) return JSON.parse(match[1]!) as string[];
  }
  throw new Error(`service ${service} has no one-line ${what}`);
}

/** Runs a container command on this machine: the image's `node` is this Node, its /app is the repo. */
export function spawnContainerCommand(argv: string[], env: Record<string, string>): ChildProcess {
  const [program, ...args] = argv;
  if (program !== 'node') throw new Error(`the container should run node directly (npm does not pass SIGTERM on as PID 1), not ${program}`);
  return spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
}
