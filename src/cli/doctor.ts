import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config.js';
import { isUsable } from '../core/backend-report.js';

/**
 * `npm run doctor`: the worker's backend check, printed for an operator (version, device, models
 * found, which templates will run and why not). Needs neither Postgres nor Redis. Exit 0 when
 * something can run, 1 when nothing can, 2 for a configuration error.
 */
async function run(): Promise<number> {
  // The same .env as `npm start` reads, so the check is of the server the worker will use.
  if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');
  const config = loadConfig();
  const [{ backendCheck, comfyUiCheck }, { doctorText }] = await Promise.all([import('../app/backend-check.js'), import('./doctor-text.js')]);
  // A farm (COMFYUI_URLS): every declared server, each under its name; exit 0 when any can run something.
  const checks =
    config.backends.length > 1
      ? config.backends.map((decl) => ({ heading: `== ${decl.name} ==\n`, check: comfyUiCheck(config, 'doctor', decl) }))
      : [{ heading: '', check: backendCheck({ config }, 'doctor') }];
  let usable = false;
  for (const { heading, check } of checks) {
    const report = await check();
    process.stdout.write(heading + doctorText(report));
    usable ||= isUsable(report);
  }
  return usable ? 0 : 1;
}

try {
  process.exitCode = await run();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`doctor failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
