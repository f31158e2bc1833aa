import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { ServiceUnreachableError } from '../shared/unreachable.js';

/** `npm run db:migrate`: create the database if missing and apply drizzle/ migrations. */
try {
  const config = loadConfig();
  const handle = await openDatabase(config.DATABASE_URL, 1);
  await handle.close();
  process.stdout.write('database is up to date\n');
} catch (error) {
  const known = error instanceof ConfigError || error instanceof ServiceUnreachableError;
  process.stderr.write(`${known ? error.message : `migration failed: ${(error as Error).message}`}\n`);
  process.exit(1);
}
